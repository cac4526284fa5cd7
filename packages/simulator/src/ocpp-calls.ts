import type { DeviceTopicKind } from '@evcharge/domain';
import type { DeviceMessage } from './payloads.js';

// An OCPP charger runs the v2 charger's session logic, which builds contract v2 messages (already in OCPP 1.6
// shapes); these pure functions turn one into the OCPP 1.6 CALL a charge point sends, and a CALLRESULT back
// into the answer that logic waits for. Contract-only fields (requestId, messageId, sessionId) are left out.

export interface OcppCall {
  action: string;
  params: Record<string, unknown>;
}

/** OCPP has no counterpart for these: the cloud never learns of them from an OCPP charger. */
const contractOnly: ReadonlySet<DeviceTopicKind> = new Set([
  'authRequest',
  'plug',
  'remoteResponse',
  'commandResponse',
]);

const withoutUndefined = (params: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));

/** The OCPP 1.6 CALL for a contract message; undefined for a message OCPP has no action for. */
export function toOcppCall(message: DeviceMessage): OcppCall | undefined {
  if (contractOnly.has(message.kind)) return undefined;
  const body = JSON.parse(message.payload) as Record<string, unknown>;
  switch (message.kind) {
    case 'boot':
      return {
        action: 'BootNotification',
        params: withoutUndefined({
          chargePointVendor: body.chargePointVendor,
          chargePointModel: body.chargePointModel,
          chargePointSerialNumber: body.chargePointSerialNumber,
          firmwareVersion: body.firmwareVersion,
        }),
      };
    case 'heartbeat':
      return { action: 'Heartbeat', params: {} };
    case 'authorize':
      return { action: 'Authorize', params: { idTag: body.idTag } };
    case 'status':
      return {
        action: 'StatusNotification',
        params: withoutUndefined({
          connectorId: body.connectorId,
          status: body.status,
          errorCode: body.errorCode,
          info: body.info,
          timestamp: body.at,
        }),
      };
    case 'transactionStart':
      return {
        action: 'StartTransaction',
        params: {
          connectorId: body.connectorId,
          idTag: body.idTag,
          meterStart: body.meterStart,
          timestamp: body.at,
        },
      };
    case 'transactionStop':
      return {
        action: 'StopTransaction',
        params: withoutUndefined({
          transactionId: body.transactionId,
          meterStop: body.meterStop,
          timestamp: body.at,
          reason: body.reason,
          idTag: body.idTag,
        }),
      };
    case 'meter':
      return {
        action: 'MeterValues',
        params: withoutUndefined({
          connectorId: body.connectorId,
          transactionId: body.transactionId,
          meterValue: body.meterValue,
        }),
      };
    case 'firmwareStatus':
      return { action: 'FirmwareStatusNotification', params: { status: body.status } };
    case 'diagnosticsStatus':
      return { action: 'DiagnosticsStatusNotification', params: { status: body.status } };
    default:
      return undefined;
  }
}

/**
 * A CALLRESULT as the answer the v2 session logic reads: BootNotification has no meter interval (the gateway
 * sets MeterValueSampleInterval by ChangeConfiguration after the boot), StartTransaction no sessionId.
 */
export function fromOcppResult(action: string, result: unknown): Record<string, unknown> {
  const conf = (result ?? {}) as Record<string, unknown>;
  if (action === 'BootNotification') return { ...conf, meterValueSampleInterval: 0 };
  return conf;
}
