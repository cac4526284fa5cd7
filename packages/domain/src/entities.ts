import * as z from 'zod/mini';
import { authStatuses } from './contract/device.js';
import { type CommandAction, commandActions } from './contract/device-v2.js';
import { currencySchema, sessionStatuses } from './contract/http.js';
import { sampledValueSchema } from './contract/meter-values.js';
import {
  chargePointErrorCodes,
  chargePointStatuses,
  commandStatuses,
  connectorOrChargerIdSchema,
  diagnosticsStatuses,
  firmwareStatuses,
  idTagInfoSchema,
  readingContexts,
  remoteStartStopStatuses,
  stopReasons,
  transactionIdSchema,
} from './contract/ocpp.js';
import {
  chargerIdSchema,
  connectorIdSchema,
  idTagSchema,
  isoTimestampSchema,
  uuidSchema,
} from './contract/primitives.js';
import { pure } from './pure.js';

// The domain's entities, defined once; types are inferred. packages/dynamo adds only keys and indexes.

export const chargerStatuses = ['online', 'offline'] as const;
export type ChargerStatus = (typeof chargerStatuses)[number];

export const DEFAULT_HEARTBEAT_INTERVAL_S = 300;

export const chargerSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    connectorCount: z.int().check(z.gte(1), z.lte(999)),
    registeredAt: isoTimestampSchema,
    status: z.enum(chargerStatuses),
    statusChangedAt: z.optional(isoTimestampSchema),
    /** Server receive time of the latest sign of life: a heartbeat or a connect (not every message). */
    lastSeenAt: z.optional(isoTimestampSchema),
    heartbeatIntervalS: z.int().check(z.positive()),
    /** The silence window at registration (`livenessWindowMs`); the sweeper computes it from its own settings. */
    livenessWindowMs: z.int().check(z.positive()),
    firmware: z.optional(z.string()),
    /** Device clock of the latest heartbeat, kept beside the server time. */
    deviceAt: z.optional(isoTimestampSchema),
    clockSkewFlagged: z.optional(z.boolean()),
    /** Highest lifecycle event applied, to order presence events (versionNumber, then timestamp). */
    presenceVersion: z.optional(z.int().check(z.nonnegative())),
    presenceTimestamp: z.optional(z.int().check(z.nonnegative())),
    connected: z.optional(z.boolean()),
    /** Start of the current online period; removed on going offline, so one write can tell a flip from a refresh. */
    onlineSince: z.optional(isoTimestampSchema),
    /** scrypt hash of the broker password; local cloud only (IoT Core uses certificates). */
    credentialHash: z.optional(z.string()),
    /** What a BootNotification is answered: Pending until an operator commissions it; absent means Accepted. */
    registrationStatus: z.optional(z.enum(['Accepted', 'Pending'])),
  }),
);
export type Charger = z.infer<typeof chargerSchema>;

/**
 * A charger's registry record from its latest boot: what it says it is. An item of its own beside the
 * charger item, so the hot path (heartbeats, sessions) never rewrites it.
 */
export const chargerBootReportSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    chargePointVendor: z.string(),
    chargePointModel: z.string(),
    chargePointSerialNumber: z.optional(z.string()),
    chargeBoxSerialNumber: z.optional(z.string()),
    firmwareVersion: z.optional(z.string()),
    iccid: z.optional(z.string()),
    imsi: z.optional(z.string()),
    meterType: z.optional(z.string()),
    meterSerialNumber: z.optional(z.string()),
    /** Device time of the latest boot, and its server receive time (epoch ms): the order of boots. */
    lastBootAt: isoTimestampSchema,
    lastBootReceivedAt: z.int().check(z.nonnegative()),
    bootRequestId: uuidSchema,
    /** The RegistrationStatus that boot was answered (Pending until an operator commissions the charger). */
    bootAnswerStatus: z.optional(z.enum(['Accepted', 'Pending'])),
  }),
);
/** What one boot reports and writes; a later boot replaces exactly these fields. */
export type ChargerBootReport = z.infer<typeof chargerBootReportSchema>;

/**
 * The registry record: the latest boot's report, plus the latest FirmwareStatusNotification and
 * DiagnosticsStatusNotification, each ordered by its device time then receive time (epoch ms), so a late
 * status never overwrites a newer one. A boot leaves the statuses alone.
 */
export const chargerBootSchema = /* @__PURE__ */ pure(() =>
  z.extend(chargerBootReportSchema, {
    firmwareStatus: z.optional(z.enum(firmwareStatuses)),
    firmwareStatusAt: z.optional(isoTimestampSchema),
    firmwareStatusReceivedAt: z.optional(z.int().check(z.nonnegative())),
    firmwareStatusMessageId: z.optional(uuidSchema),
    diagnosticsStatus: z.optional(z.enum(diagnosticsStatuses)),
    diagnosticsStatusAt: z.optional(isoTimestampSchema),
    diagnosticsStatusReceivedAt: z.optional(z.int().check(z.nonnegative())),
    diagnosticsStatusMessageId: z.optional(uuidSchema),
  }),
);
export type ChargerBoot = z.infer<typeof chargerBootSchema>;

/**
 * The charger's own v2 status (StatusNotification on connector 0), an item of its own beside the charger item,
 * so the hot path never rewrites it.
 */
export const chargerStatusSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    ocppStatus: z.enum(chargePointStatuses),
    errorCode: z.enum(chargePointErrorCodes),
    info: z.optional(z.string()),
    vendorId: z.optional(z.string()),
    vendorErrorCode: z.optional(z.string()),
    /** Device time of the last applied status, then its receive time (epoch ms): the order of statuses. */
    statusAt: isoTimestampSchema,
    statusReceivedAt: z.int().check(z.nonnegative()),
    statusMessageId: uuidSchema,
  }),
);
export type ChargerStatusRecord = z.infer<typeof chargerStatusSchema>;

export const connectorStatuses = ['Available', 'Preparing', 'Charging', 'Faulted', 'Unavailable'] as const;
export type ConnectorStatus = (typeof connectorStatuses)[number];

export const connectorSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    status: z.enum(connectorStatuses),
    plugged: z.boolean(),
    faulted: z.boolean(),
    activeSessionId: z.optional(uuidSchema),
    /** Device time of the last plug event applied, then its receive time, to refuse older events. */
    lastEventAt: z.optional(isoTimestampSchema),
    lastEventReceivedAt: z.optional(z.int()),
    /** Plug events recorded (applied or ignored); each one conditions on it, so a connector's events serialize. */
    plugEventSeq: z.optional(z.int().check(z.nonnegative())),
    /** Set by a v2 status `Unavailable`: refuses new sessions like `faulted`. Absent means false (v1 connectors). */
    unavailable: z.optional(z.boolean()),
    /** Set on every connector while connector 0 (the whole charger) is Faulted or Unavailable; refuses sessions too. */
    chargerUnavailable: z.optional(z.boolean()),
    /** The last applied v2 status (StatusNotification) verbatim, its device time then receive time (the order of statuses). */
    ocppStatus: z.optional(z.enum(chargePointStatuses)),
    errorCode: z.optional(z.enum(chargePointErrorCodes)),
    info: z.optional(z.string()),
    vendorId: z.optional(z.string()),
    vendorErrorCode: z.optional(z.string()),
    statusAt: z.optional(isoTimestampSchema),
    statusReceivedAt: z.optional(z.int().check(z.nonnegative())),
    statusMessageId: z.optional(uuidSchema),
    /** Latest cumulative register seen on this connector, for a new session's energyStartWh. */
    lastRegisterWh: z.optional(z.int().check(z.nonnegative())),
    lastReadingAt: z.optional(isoTimestampSchema),
  }),
);
export type Connector = z.infer<typeof connectorSchema>;

export const idTagStatuses = ['Accepted', 'Blocked'] as const;

export const idTagRecordSchema = /* @__PURE__ */ pure(() =>
  z.object({
    idTag: idTagSchema,
    userId: z.string().check(z.minLength(1), z.maxLength(128)),
    status: z.enum(idTagStatuses),
    expiresAt: z.optional(isoTimestampSchema),
    maxConcurrent: z.int().check(z.gte(1), z.lte(100)),
    activeSessionCount: z.int().check(z.nonnegative()),
  }),
);
export type IdTagRecord = z.infer<typeof idTagRecordSchema>;

export const sessionSchema = /* @__PURE__ */ pure(() =>
  z.object({
    sessionId: uuidSchema,
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    userId: z.string().check(z.minLength(1)),
    idTag: idTagSchema,
    status: z.enum(sessionStatuses),
    /** When the session was authorized. */
    startedAt: isoTimestampSchema,
    /** When charging began (plugged while authorized, or authorized while plugged). */
    chargingStartedAt: z.optional(isoTimestampSchema),
    endedAt: z.optional(isoTimestampSchema),
    durationS: z.optional(z.int().check(z.nonnegative())),
    energyStartWh: z.optional(z.int().check(z.nonnegative())),
    /** Device time of the reading that set energyStartWh (absent when authorization set it). */
    energyStartAt: z.optional(isoTimestampSchema),
    latestRegisterWh: z.optional(z.int().check(z.nonnegative())),
    energyWh: z.int().check(z.nonnegative()),
    powerW: z.optional(z.number().check(z.nonnegative())),
    lastReadingAt: z.optional(isoTimestampSchema),
    /** Tariff is fixed when the session starts, so a price change never rebills a running session. */
    pricePerKwhMinor: z.int().check(z.nonnegative()),
    costMinor: z.int().check(z.nonnegative()),
    currency: currencySchema,
    /** The OCPP transaction (contract v2 transaction/start) this session belongs to, once one started it. */
    transactionId: z.optional(transactionIdSchema),
    /** Why a v2 transaction stopped (OCPP Reason; `Local` when the stop named none). */
    stopReason: z.optional(z.enum(stopReasons)),
    /** The user's remote start this session's transaction/start answered (its `session.authorized` carries it). */
    remoteStartRequestId: z.optional(uuidSchema),
    /** The user's latest remote stop while it may still end the session (its `session.completed` carries it). */
    remoteStopRequestId: z.optional(uuidSchema),
  }),
);
export type Session = z.infer<typeof sessionSchema>;

/**
 * Why a stored reading moved nothing: a register below an earlier one, older than the latest, a 0 placeholder,
 * (v2) no register at all, a refused transaction's, or a stopped transaction's whose totals the stop fixed.
 */
export const readingAnomalies = [
  'register-regression',
  'out-of-order',
  'zero-register-placeholder',
  'no-register',
  'transaction-refused',
  'transaction-stopped',
] as const;

export const meterReadingSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    /** 0: the charger's main meter (v2), kept for the charger, never a session's. */
    connectorId: connectorOrChargerIdSchema,
    messageId: uuidSchema,
    at: isoTimestampSchema,
    receivedAt: isoTimestampSchema,
    /** Absent when a v2 reading has no Energy.Active.Import.Register: then it moves no session. */
    registerWh: z.optional(z.int().check(z.nonnegative())),
    powerW: z.optional(z.number().check(z.nonnegative())),
    /** v1 readings carry one of the first five; v2 (OCPP) readings any of the eight. */
    context: z.enum(readingContexts),
    sessionId: z.optional(uuidSchema),
    /** v2: the OCPP transaction the charger named. */
    transactionId: z.optional(transactionIdSchema),
    requestId: z.optional(uuidSchema),
    /** v2: every value sampled at `at` (OCPP defaults applied), kept whether or not it drives a session. */
    sampledValues: z.optional(z.array(sampledValueSchema)),
    /** Why the reading was stored but not applied to the session, if it was not. */
    anomaly: z.optional(z.enum(readingAnomalies)),
  }),
);
export type MeterReading = z.infer<typeof meterReadingSchema>;

export const authAttemptSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    requestId: uuidSchema,
    connectorId: connectorIdSchema,
    idTag: idTagSchema,
    userId: z.optional(z.string()),
    status: z.enum(authStatuses),
    reason: z.optional(z.string()),
    sessionId: z.optional(uuidSchema),
    decidedAt: isoTimestampSchema,
  }),
);
export type AuthAttempt = z.infer<typeof authAttemptSchema>;

export type { NotificationBody as Notification } from './contract/notification.js';
export { notificationBodySchema as notificationSchema } from './contract/notification.js';

export const meterRequestStatuses = ['pending', 'answered', 'unavailable'] as const;
export type MeterRequestStatus = (typeof meterRequestStatuses)[number];

/**
 * A user's on-demand reading request. Its committed transition pending → answered | unavailable is what
 * the notifications service turns into `meter.reading` / `meter.unavailable`, carrying the values below.
 */
export const meterRequestSchema = /* @__PURE__ */ pure(() =>
  z.object({
    requestId: uuidSchema,
    sessionId: uuidSchema,
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    userId: z.string().check(z.minLength(1)),
    status: z.enum(meterRequestStatuses),
    requestedAt: isoTimestampSchema,
    resolvedAt: z.optional(isoTimestampSchema),
    /** Session values at resolution: the fresh reading when answered, the last known when unavailable. */
    energyWh: z.optional(z.int().check(z.nonnegative())),
    powerW: z.optional(z.number().check(z.nonnegative())),
    costMinor: z.optional(z.int().check(z.nonnegative())),
    currency: z.optional(currencySchema),
    lastReadingAt: z.optional(isoTimestampSchema),
  }),
);
export type MeterRequest = z.infer<typeof meterRequestSchema>;

// Contract v2 transactions (OCPP StartTransaction / StopTransaction).

/**
 * A transaction/start as decided, keyed by charger, connector and device time: a repeated start finds it and is
 * answered the same transactionId. Kept for a refused start too (no sessionId), so its stop is recognised.
 */
export const transactionStartSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    /** Device time of the start. */
    at: isoTimestampSchema,
    requestId: uuidSchema,
    idTag: idTagSchema,
    meterStart: z.int().check(z.nonnegative()),
    reservationId: z.optional(z.int()),
    transactionId: transactionIdSchema,
    idTagInfo: idTagInfoSchema,
    /** Absent when the start was refused. */
    sessionId: z.optional(uuidSchema),
    /** Why a start whose tag alone was fine was refused (the connector's UnavailableReason). */
    refusal: z.optional(z.string()),
    decidedAt: isoTimestampSchema,
  }),
);
export type TransactionStart = z.infer<typeof transactionStartSchema>;

/** transactionId → its start and session (if any), and once stopped, the stop: how a stop finds what it ends. */
export const transactionSchema = /* @__PURE__ */ pure(() =>
  z.object({
    transactionId: transactionIdSchema,
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    idTag: idTagSchema,
    meterStart: z.int().check(z.nonnegative()),
    startedAt: isoTimestampSchema,
    sessionId: z.optional(uuidSchema),
    /** Set once by the first stop; a repeated stop finds them and changes nothing. */
    stopRequestId: z.optional(uuidSchema),
    meterStop: z.optional(z.int().check(z.nonnegative())),
    stoppedAt: z.optional(isoTimestampSchema),
    stopReason: z.optional(z.enum(stopReasons)),
  }),
);
export type Transaction = z.infer<typeof transactionSchema>;

/** A transaction/stop naming a transactionId this charger never started: kept for operators, still answered. */
export const orphanTransactionStopSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    transactionId: transactionIdSchema,
    requestId: uuidSchema,
    meterStop: z.int().check(z.nonnegative()),
    /** Device time of the stop. */
    at: isoTimestampSchema,
    reason: z.enum(stopReasons),
    idTag: z.optional(idTagSchema),
    receivedAt: z.int().check(z.nonnegative()),
  }),
);
export type OrphanTransactionStop = z.infer<typeof orphanTransactionStopSchema>;

/** An atomic counter (one UpdateItem ADD per value), e.g. the transactionId allocator. */
export const counterSchema = /* @__PURE__ */ pure(() =>
  z.object({
    counterName: z.string().check(z.minLength(1)),
    value: z.int().check(z.nonnegative()),
  }),
);
export type Counter = z.infer<typeof counterSchema>;

// Remote start/stop from the app (contract v2 `remote/start`, `remote/stop`, `remote/response`).

export const remoteRequestActions = ['start', 'stop'] as const;
export type RemoteRequestAction = (typeof remoteRequestActions)[number];

/** `pending` until the charger answers or the timeout passes; each later state is final. */
export const remoteRequestStatuses = ['pending', 'accepted', 'rejected', 'timed-out'] as const;
export type RemoteRequestStatus = (typeof remoteRequestStatuses)[number];

/**
 * A user's remote start or stop. Its committed transition out of `pending` is what the notifications service
 * turns into `session.rejected` / `remote.timeout`; `accepted` notifies nothing by itself (the session's own
 * `session.authorized` / `session.completed` carry the requestId).
 */
export const remoteRequestSchema = /* @__PURE__ */ pure(() =>
  z.object({
    requestId: uuidSchema,
    action: z.enum(remoteRequestActions),
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    userId: z.string().check(z.minLength(1)),
    idTag: idTagSchema,
    /** An operator who stopped the session from the console (absent when its user asked). */
    operatorId: z.optional(z.string().check(z.minLength(1))),
    /** The session a stop ends, and its OCPP transaction. */
    sessionId: z.optional(uuidSchema),
    transactionId: z.optional(transactionIdSchema),
    status: z.enum(remoteRequestStatuses),
    requestedAt: isoTimestampSchema,
    /** The charger drops the request unexecuted after this; unanswered by then, it times out. */
    expiresAt: isoTimestampSchema,
    /** The charger's answer verbatim and its device time, when it answered while the request was pending. */
    answer: z.optional(z.enum(remoteStartStopStatuses)),
    answeredAt: z.optional(isoTimestampSchema),
    /** Server time of the move out of `pending`, and what moved it (`session`: the session already told the user). */
    resolvedAt: z.optional(isoTimestampSchema),
    resolvedBy: z.optional(z.enum(['response', 'timeout', 'session'])),
  }),
);
export type RemoteRequest = z.infer<typeof remoteRequestSchema>;

/**
 * The remote start a charger may act on next for (charger, connector, idTag): what transaction/start reads to
 * attach the requestId to the session it opens (then marks it with that session). Removed when the request is
 * rejected or times out; a newer remote start for the same key replaces it.
 */
export const pendingRemoteStartSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    idTag: idTagSchema,
    requestId: uuidSchema,
    requestedAt: isoTimestampSchema,
    /** A start received after this (server time) is not this request's: the charger has dropped it by then. */
    attachUntil: isoTimestampSchema,
    /** The session a transaction/start opened for it. */
    sessionId: z.optional(uuidSchema),
  }),
);
export type PendingRemoteStart = z.infer<typeof pendingRemoteStartSchema>;

// Operator commands (contract v2 `command` / `command/response`).

/**
 * An operator command's life: `pending` once written (before it is published), then `answered` by the
 * charger's command/response, `timedOut` when the operator's wait ended first (a later answer still moves it
 * to `answered`, marked late), or `failed` when it could not be published.
 */
export const commandStates = ['pending', 'answered', 'timedOut', 'failed'] as const;
export type CommandState = (typeof commandStates)[number];

/** One operator command to one charger and its outcome, keyed by charger and requestId. */
export const commandRecordSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    requestId: uuidSchema,
    action: z.enum(commandActions as [CommandAction, ...CommandAction[]]),
    /**
     * The action's OCPP .req payload as published; absent when it has no fields (ClearCache, GetConfiguration
     * of all keys). An empty map is never stored: DynamoDB Local's stream returns it as `{}`, not `{ M: {} }`.
     */
    payload: z.optional(z.record(z.string(), z.unknown())),
    state: z.enum(commandStates),
    sentAt: isoTimestampSchema,
    /** The charger drops the command unexecuted after this (sentAt + the operator's timeout). */
    expiresAt: isoTimestampSchema,
    /** The charger's answer: its .conf status and payload, its device time, and the server's receive time. */
    answerStatus: z.optional(z.enum(commandStatuses)),
    answerPayload: z.optional(z.record(z.string(), z.unknown())),
    answerAt: z.optional(isoTimestampSchema),
    answerReceivedAt: z.optional(isoTimestampSchema),
    /** When the operator's wait ended without an answer. */
    timedOutAt: z.optional(isoTimestampSchema),
    /** True when the answer came after the wait had timed out. */
    lateAnswer: z.optional(z.boolean()),
    /** Why publishing failed. */
    failure: z.optional(z.string()),
  }),
);
export type CommandRecord = z.infer<typeof commandRecordSchema>;

/** The patterns the telemetry service's detectors report, kept as Alert items (packages/dynamo entities). */
export const alertKinds = ['stalled-charging', 'meter-anomaly', 'flapping', 'site-load'] as const;
export type AlertKind = (typeof alertKinds)[number];

/**
 * A pattern the telemetry service's detectors found on the stream: one item per charger and kind, open from its
 * first to its last sighting until the condition clears (then `cleared`, reopened by the next sighting after
 * `clearedAt`). The notifications service turns its opening and its clearing into `alert.opened`/`alert.cleared`.
 */
export const alertSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    /** A site-wide kind (site-load): the site it is about; `chargerId` then names the charger whose reading raised it. */
    siteId: z.optional(chargerIdSchema),
    kind: z.enum(alertKinds),
    status: z.enum(['open', 'cleared']),
    /** The connector of the latest sighting (absent for a charger-wide kind such as flapping). */
    connectorId: z.optional(z.int().check(z.nonnegative())),
    firstSeenAt: isoTimestampSchema,
    lastSeenAt: isoTimestampSchema,
    clearedAt: z.optional(isoTimestampSchema),
    /** What the detector saw, for the operator. */
    detail: z.string().check(z.maxLength(500)),
    /** How many times this alert has opened (1 for the first episode). */
    episodes: z.int().check(z.positive()),
  }),
);
export type Alert = z.infer<typeof alertSchema>;
