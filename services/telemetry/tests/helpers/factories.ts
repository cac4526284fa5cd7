import { randomUUID } from 'node:crypto';
import { lambdaContextFor } from '@evcharge/testing';
import type { Context, KinesisStreamRecord, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import type { MeterObservation, PresenceObservation, StatusObservation } from '../../src/detectors/index.js';

// Typed factories: analysis rule events (as the IoT rules put them on the stream), Kinesis records and tumbling
// window events built from them, and detector observations. Each takes overrides.

export const T0 = Date.parse('2026-12-06T10:00:00.000Z');
export const minutes = (count: number) => count * 60_000;
const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function meterObservation(overrides: Partial<MeterObservation> = {}): MeterObservation {
  const at = overrides.at ?? T0;
  return {
    type: 'meter',
    key: `m#${at}#${overrides.connectorId ?? 1}`,
    chargerId: 'CP-1',
    connectorId: 1,
    at,
    registerWh: 1_000,
    powerW: 0,
    ...overrides,
  };
}

export function statusObservation(overrides: Partial<StatusObservation> = {}): StatusObservation {
  const at = overrides.at ?? T0;
  return {
    type: 'status',
    key: `s#${at}#${overrides.status ?? 'Charging'}`,
    chargerId: 'CP-1',
    connectorId: 1,
    at,
    status: 'Charging',
    ...overrides,
  };
}

export function presenceObservation(overrides: Partial<PresenceObservation> = {}): PresenceObservation {
  const at = overrides.at ?? T0;
  const eventType = overrides.eventType ?? 'disconnected';
  return {
    type: 'presence',
    key: `session-${at}#${eventType}`,
    chargerId: 'CP-1',
    eventType,
    versionNumber: at,
    at,
    ...overrides,
  };
}

/** A v1 meter rule event (`energy`, `powerW`), as the analysis rule puts it on the stream. */
export function meterEventV1(
  chargerId: string,
  at: number,
  registerWh: number,
  powerW: number,
  overrides = {},
) {
  return {
    messageId: randomUUID(),
    connectorId: 1,
    at: iso(at),
    energy: { value: registerWh, unit: 'Wh' },
    powerW,
    context: 'Sample.Periodic',
    chargerId,
    topic: `chargers/${chargerId}/meter`,
    receivedAt: at + 200,
    ...overrides,
  };
}

/** A v2 meter rule event (OCPP MeterValues: register in kWh, power in W). */
export function meterEventV2(
  chargerId: string,
  at: number,
  registerWh: number,
  powerW: number,
  overrides = {},
) {
  return {
    messageId: randomUUID(),
    connectorId: 1,
    transactionId: 7,
    meterValue: [
      {
        timestamp: iso(at),
        sampledValue: [
          { value: String(registerWh / 1000), unit: 'kWh' },
          { value: String(powerW), measurand: 'Power.Active.Import', unit: 'W' },
        ],
      },
    ],
    chargerId,
    topic: `chargers/${chargerId}/meter`,
    receivedAt: at + 200,
    ...overrides,
  };
}

export function statusEvent(chargerId: string, at: number, status: string, overrides = {}) {
  return {
    messageId: randomUUID(),
    connectorId: 1,
    status,
    errorCode: 'NoError',
    at: iso(at),
    chargerId,
    topic: `chargers/${chargerId}/status`,
    receivedAt: at + 200,
    ...overrides,
  };
}

export function presenceEvent(chargerId: string, at: number, eventType: 'connected' | 'disconnected') {
  return {
    clientId: chargerId,
    timestamp: at,
    eventType,
    sessionIdentifier: `session-${chargerId}-${Math.floor(at / 1000)}`,
    principalIdentifier: 'local',
    versionNumber: Math.floor(at / 1000),
    ...(eventType === 'disconnected'
      ? { clientInitiatedDisconnect: false, disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' }
      : { ipAddress: '127.0.0.1' }),
    chargerId,
    topic: `$aws/events/presence/${eventType}/${chargerId}`,
    receivedAt: at + 100,
  };
}

let sequence = 0;

/** A Kinesis record carrying one rule event (partition key: the charger, as the rules set it). */
export function kinesisRecord(event: { chargerId: string }, overrides: Partial<KinesisStreamRecord> = {}) {
  const sequenceNumber = String(49_000_000_000_000 + ++sequence);
  return {
    awsRegion: 'us-east-1',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/ev-charging-local-telemetry-analysis',
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/telemetry-local-analyse',
    kinesis: {
      approximateArrivalTimestamp: Date.now() / 1000,
      data: Buffer.from(JSON.stringify(event)).toString('base64'),
      kinesisSchemaVersion: '1.0',
      partitionKey: event.chargerId,
      sequenceNumber,
    },
    ...overrides,
  } satisfies KinesisStreamRecord;
}

/** One invocation of a tumbling window (state: what the previous invocation of this window handed back). */
export function windowEvent(
  records: KinesisStreamRecord[],
  overrides: Partial<KinesisStreamTumblingWindowEvent> = {},
): KinesisStreamTumblingWindowEvent {
  return {
    Records: records,
    window: { start: iso(T0), end: iso(T0 + minutes(15)) },
    state: {},
    isFinalInvokeForWindow: false,
    isWindowTerminatedEarly: false,
    shardId: 'shardId-000000000000',
    eventSourceARN: records[0]?.eventSourceARN ?? 'arn:aws:kinesis:us-east-1:000000000000:stream/x',
    ...overrides,
  } as KinesisStreamTumblingWindowEvent;
}

/** A Lambda context with the analyse function's configured timeout (as the tests of other services do). */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return lambdaContextFor('telemetry', 'analyse', overrides);
}
