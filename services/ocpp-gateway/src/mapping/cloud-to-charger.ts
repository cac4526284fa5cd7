import type {
  AuthorizeResponsePayload,
  BootResponsePayload,
  CommandPayload,
  CommandResponsePayload,
  IdTagInfo,
  MeterRequestPayload,
  RemoteResponsePayload,
  RemoteStartPayload,
  RemoteStopPayload,
  TransactionStartResponsePayload,
  TransactionStopResponsePayload,
} from '@evcharge/domain';
import type {
  AuthorizeConf,
  BootNotificationConf,
  IdTagInfo16,
  StartTransactionConf,
  StopTransactionConf,
} from './ocpp-types.js';

// v2 contract messages from the cloud → OCPP 1.6: the .conf of a charger's CALL, or a CALL to the charger.

function idTagInfoOf(info: IdTagInfo): IdTagInfo16 {
  return {
    status: info.status,
    ...(info.expiryDate ? { expiryDate: info.expiryDate } : {}),
    ...(info.parentIdTag ? { parentIdTag: info.parentIdTag } : {}),
  };
}

export function bootConfFrom(response: BootResponsePayload): BootNotificationConf {
  return { status: response.status, currentTime: response.currentTime, interval: response.interval };
}

/** What an Accepted boot sets on the charger, in order (ChangeConfiguration with OCPP's key names). */
export function bootConfigurationFrom(response: BootResponsePayload): OcppCall[] {
  if (response.status !== 'Accepted') return [];
  return [
    {
      action: 'ChangeConfiguration',
      payload: { key: 'HeartbeatInterval', value: String(response.interval) },
    },
    {
      action: 'ChangeConfiguration',
      payload: { key: 'MeterValueSampleInterval', value: String(response.meterValueSampleInterval) },
    },
  ];
}

export function authorizeConfFrom(response: AuthorizeResponsePayload): AuthorizeConf {
  return { idTagInfo: idTagInfoOf(response.idTagInfo) };
}

export function startTransactionConfFrom(response: TransactionStartResponsePayload): StartTransactionConf {
  return { transactionId: response.transactionId, idTagInfo: idTagInfoOf(response.idTagInfo) };
}

export function stopTransactionConfFrom(response: TransactionStopResponsePayload): StopTransactionConf {
  return response.idTagInfo ? { idTagInfo: idTagInfoOf(response.idTagInfo) } : {};
}

export interface OcppCall {
  action: string;
  payload: Record<string, unknown>;
}

/** A cloud request past its `expiresAt` is dropped unanswered (docs/contract.md). */
export function hasExpired(request: { expiresAt: string }, now: Date): boolean {
  return Date.parse(request.expiresAt) <= now.getTime();
}

export function triggerCallFrom(request: MeterRequestPayload): OcppCall {
  return {
    action: 'TriggerMessage',
    payload: { requestedMessage: 'MeterValues', connectorId: request.connectorId },
  };
}

export function remoteStartCallFrom(request: RemoteStartPayload): OcppCall {
  return {
    action: 'RemoteStartTransaction',
    payload: { connectorId: request.connectorId, idTag: request.idTag },
  };
}

export function remoteStopCallFrom(request: RemoteStopPayload): OcppCall {
  return { action: 'RemoteStopTransaction', payload: { transactionId: request.transactionId } };
}

export function commandCallFrom(command: CommandPayload): OcppCall {
  return { action: command.action, payload: command.payload };
}

export function remoteResponseFrom(
  requestId: string,
  conf: { status: RemoteResponsePayload['status'] },
  now: Date,
): RemoteResponsePayload {
  return { requestId, status: conf.status, at: now.toISOString() };
}

/** A .conf as `command/response`: its status, and the rest as `payload` (GetConfiguration has no status). */
export function commandResponseFrom(
  requestId: string,
  conf: Record<string, unknown>,
  now: Date,
): CommandResponsePayload {
  const { status, ...rest } = conf;
  return {
    requestId,
    status: (typeof status === 'string' ? status : 'Accepted') as CommandResponsePayload['status'],
    ...(Object.keys(rest).length > 0 ? { payload: rest } : {}),
    at: now.toISOString(),
  };
}

/** A charger's CALLERROR that still answers a command: it does not implement or support the action. */
export function commandResponseForCallError(
  requestId: string,
  errorCode: string,
  now: Date,
): CommandResponsePayload | undefined {
  if (errorCode !== 'NotImplemented' && errorCode !== 'NotSupported') return undefined;
  return { requestId, status: errorCode, at: now.toISOString() };
}
