import type {
  AuthorizePayload,
  BootPayload,
  DiagnosticsStatusPayload,
  FirmwareStatusPayload,
  HeartbeatPayload,
  meterValuesPayloadSchema,
  StatusPayload,
  TransactionStartPayload,
  TransactionStopPayload,
} from '@evcharge/domain';
import type * as z from 'zod/mini';
import { contractIdFor } from './contract-ids.js';
import type {
  AuthorizeReq,
  BootNotificationReq,
  MeterValue16,
  MeterValuesReq,
  StartTransactionReq,
  StatusNotificationReq,
  StatusReport16,
  StopTransactionReq,
} from './ocpp-types.js';

// OCPP 1.6 CALLs from a charger → v2 contract payloads. Pure: the receive time comes in as `now`. A message
// with a device timestamp keeps it (offline replays keep their own times); one without gets the receive time.

export type MeterValuesMessage = z.input<typeof meterValuesPayloadSchema>;

/** OCPP's dateTime as the contract's: UTC with exactly 3 fractional digits. */
export function contractTime(ocppDateTime: string): string {
  return new Date(ocppDateTime).toISOString();
}

/** Copies only the fields that are present, so an absent optional field stays absent. */
function present<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

export function bootFrom(chargerId: string, req: BootNotificationReq, now: Date): BootPayload {
  const content = present({ ...req, at: now.toISOString() });
  return { requestId: contractIdFor(chargerId, 'boot', content), ...content };
}

export function authorizeFrom(chargerId: string, req: AuthorizeReq, now: Date): AuthorizePayload {
  const content = { idTag: req.idTag, at: now.toISOString() };
  return { requestId: contractIdFor(chargerId, 'authorize', content), ...content };
}

export function transactionStartFrom(chargerId: string, req: StartTransactionReq): TransactionStartPayload {
  const content = present({
    connectorId: req.connectorId,
    idTag: req.idTag,
    meterStart: req.meterStart,
    reservationId: req.reservationId,
    at: contractTime(req.timestamp),
  });
  return { requestId: contractIdFor(chargerId, 'transaction/start', content), ...content };
}

export function transactionStopFrom(chargerId: string, req: StopTransactionReq): TransactionStopPayload {
  // transactionData is not part of the stop's identity: it travels as meter messages with ids of their own.
  const content = present({
    transactionId: req.transactionId,
    meterStop: req.meterStop,
    reason: req.reason as TransactionStopPayload['reason'],
    idTag: req.idTag,
    at: contractTime(req.timestamp),
  });
  return { requestId: contractIdFor(chargerId, 'transaction/stop', content), ...content };
}

export function statusFrom(chargerId: string, req: StatusNotificationReq, now: Date): StatusPayload {
  const content = present({
    connectorId: req.connectorId,
    status: req.status as StatusPayload['status'],
    errorCode: req.errorCode as StatusPayload['errorCode'],
    info: req.info,
    vendorId: req.vendorId,
    vendorErrorCode: req.vendorErrorCode,
    at: req.timestamp ? contractTime(req.timestamp) : now.toISOString(),
  });
  return { messageId: contractIdFor(chargerId, 'status', content), ...content };
}

export function heartbeatFrom(now: Date): HeartbeatPayload {
  return { at: now.toISOString() };
}

export function firmwareStatusFrom(chargerId: string, req: StatusReport16, now: Date): FirmwareStatusPayload {
  const content = { status: req.status as FirmwareStatusPayload['status'], at: now.toISOString() };
  return { messageId: contractIdFor(chargerId, 'firmware-status', content), ...content };
}

export function diagnosticsStatusFrom(
  chargerId: string,
  req: StatusReport16,
  now: Date,
): DiagnosticsStatusPayload {
  const content = { status: req.status as DiagnosticsStatusPayload['status'], at: now.toISOString() };
  return { messageId: contractIdFor(chargerId, 'diagnostics-status', content), ...content };
}

/** The contract's payload limit less the fields the rule adds (docs/contract.md, "payload"). */
export const METER_MESSAGE_BUDGET_BYTES = 8 * 1024 - 128;

const everyValueIsTrigger = (meterValues: MeterValue16[]) =>
  meterValues.every((meterValue) =>
    meterValue.sampledValue.every((sampled) => sampled.context === 'Trigger'),
  );

export interface MeterValuesLink {
  /** Left out for a StopTransaction's transactionData: its transactionId names the connector in the cloud. */
  connectorId?: number;
  transactionId?: number;
  /** The `meter/request` a triggered reading answers; echoed only when every value is a Trigger value. */
  requestId?: string;
}

/**
 * MeterValues (or a StopTransaction's transactionData) as v2 `meter` messages, every sampled value as given.
 * Split into several messages, one MeterValue never split, when one would pass the contract's 8 KB.
 */
export function meterMessagesFrom(
  chargerId: string,
  meterValues: MeterValue16[],
  link: MeterValuesLink,
): MeterValuesMessage[] {
  const normalized = meterValues.map((meterValue) => ({
    timestamp: contractTime(meterValue.timestamp),
    sampledValue: meterValue.sampledValue.map((sampled) => present({ ...sampled })),
  })) as MeterValuesMessage['meterValue'];
  const chunks: MeterValuesMessage['meterValue'][] = [];
  let current: MeterValuesMessage['meterValue'] = [];
  for (const meterValue of normalized) {
    const candidate = [...current, meterValue];
    if (current.length > 0 && JSON.stringify(candidate).length > METER_MESSAGE_BUDGET_BYTES - 200) {
      chunks.push(current);
      current = [meterValue];
    } else {
      current = candidate;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((chunk) => {
    const content = present({
      connectorId: link.connectorId,
      transactionId: link.transactionId,
      requestId: link.requestId && everyValueIsTrigger(chunk as MeterValue16[]) ? link.requestId : undefined,
      meterValue: chunk,
    });
    return { messageId: contractIdFor(chargerId, 'meter', content), ...content };
  });
}

export function meterValuesFrom(
  chargerId: string,
  req: MeterValuesReq,
  requestId: string | undefined,
): MeterValuesMessage[] {
  return meterMessagesFrom(chargerId, req.meterValue, {
    connectorId: req.connectorId,
    transactionId: req.transactionId,
    requestId,
  });
}
