import {
  alertSchema,
  authAttemptSchema,
  chargerBootSchema,
  chargerIdSchema,
  chargerSchema,
  chargerStatusSchema,
  commandRecordSchema,
  connectorEventSchema,
  connectorSchema,
  counterSchema,
  idTagRecordSchema,
  isoTimestampSchema,
  meterReadingSchema,
  meterRequestSchema,
  orphanTransactionStopSchema,
  pendingRemoteStartSchema,
  pure,
  remoteRequestSchema,
  sessionSchema,
  transactionSchema,
  transactionStartSchema,
} from '@evcharge/domain';
import * as z from 'zod/mini';
import { defineEntity, type EntityDefinition, keysOf } from './entity.js';
import { shardOf } from './keys.js';

// Every entity the table stores, each defined once: its tag, its attributes (the contract's schema), its key
// templates and the index keys it carries. `keys`, `EntityType` and each item (`itemOf`) derive from these.
// `{connectorId}` is zero-padded to 3 digits so connectors sort numerically; README.md has the key table.

const pad = (connectorId: number) => String(connectorId).padStart(3, '0');

const chargerAttributesSchema = /* @__PURE__ */ pure(() =>
  z.extend(chargerSchema, {
    /** scrypt hash of the charger's OCPP AuthorizationKey (HTTP Basic password); the OCPP gateway checks it. */
    ocppCredentialHash: z.optional(z.string()),
    /** The site gateway the charger is assigned to: that gateway's credential may act for this charger. */
    gatewayId: z.optional(z.string().check(z.minLength(1))),
  }),
);

const charger = defineEntity<typeof chargerAttributesSchema>()({
  entityType: 'Charger',
  keys: { charger: (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'CHARGER' }) },
  primaryKey: (value, keys) => keys.charger(value.chargerId),
  // Armed while online; heartbeat moves and removes it with updates.
  indexes: { deadlines: { kind: 'charger-offline', shardBy: (value) => value.chargerId } },
});

const chargerBoot = defineEntity<typeof chargerBootSchema>()({
  entityType: 'ChargerBoot',
  keys: {
    /** The registry record of the latest boot, apart from the item hot-path writes touch. */
    chargerBoot: (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'BOOT' }),
  },
  primaryKey: (value, keys) => keys.chargerBoot(value.chargerId),
  indexes: {},
});

const chargerStatus = defineEntity<typeof chargerStatusSchema>()({
  entityType: 'ChargerStatus',
  keys: {
    /** The charger's own v2 status (connector 0), apart from the item hot-path writes touch. */
    chargerStatus: (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'STATUS' }),
  },
  primaryKey: (value, keys) => keys.chargerStatus(value.chargerId),
  indexes: {},
});

const connector = defineEntity<typeof connectorSchema>()({
  entityType: 'Connector',
  keys: {
    connector: (chargerId: string, connectorId: number) => ({
      pk: `CHARGER#${chargerId}`,
      sk: `CONNECTOR#${pad(connectorId)}`,
    }),
    connectorPrefix: 'CONNECTOR#',
  },
  primaryKey: (value, keys) => keys.connector(value.chargerId, value.connectorId),
  indexes: {},
});

const connectorEvent = defineEntity<typeof connectorEventSchema>()({
  entityType: 'ConnectorEvent',
  keys: {
    connectorHistory: (
      chargerId: string,
      connectorId: number,
      at: string,
      kind: string,
      messageId: string,
    ) => ({
      pk: `CONNHIST#${chargerId}#${pad(connectorId)}`,
      sk: `${at}#${kind}#${messageId}`,
    }),
    connectorHistoryPartition: (chargerId: string, connectorId: number) =>
      `CONNHIST#${chargerId}#${pad(connectorId)}`,
  },
  primaryKey: (value, keys) =>
    keys.connectorHistory(value.chargerId, value.connectorId, value.at, value.event, value.messageId),
  indexes: {},
});

const idTag = defineEntity<typeof idTagRecordSchema>()({
  entityType: 'IdTag',
  keys: {
    idTag: (idTag: string) => ({ pk: `IDTAG#${idTag}`, sk: 'IDTAG' }),
    idTagList: (idTag: string) => ({ gsi1pk: 'IDTAGS', gsi1sk: idTag }),
  },
  primaryKey: (value, keys) => keys.idTag(value.idTag),
  indexes: { gsi1: (value, keys) => keys.idTagList(value.idTag) },
});

const session = defineEntity<typeof sessionSchema>()({
  entityType: 'Session',
  keys: {
    session: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  },
  primaryKey: (value, keys) => keys.session(value.sessionId),
  // Not in gsi1: readings rewrite its totals, and an index entry would double each of those writes
  // (its user's list is the UserSession entry below, written once when the session opens).
  indexes: {
    // Armed while Authorized and waiting for a plug.
    deadlines: { kind: 'session-expiry', shardBy: (value) => value.sessionId },
  },
});

const meterReading = defineEntity<typeof meterReadingSchema>()({
  entityType: 'MeterReading',
  keys: {
    meterReading: (chargerId: string, connectorId: number, at: string, messageId: string) => ({
      pk: `READINGS#${chargerId}#${pad(connectorId)}`,
      sk: `${at}#${messageId}`,
    }),
    connectorReadingsPartition: (chargerId: string, connectorId: number) =>
      `READINGS#${chargerId}#${pad(connectorId)}`,
  },
  primaryKey: (value, keys) =>
    keys.meterReading(value.chargerId, value.connectorId, value.at, value.messageId),
  // In no index, so a reading costs one write unit: a session's readings are its connector's, by time.
  indexes: {},
});

/**
 * A session's entry in its user's list (gsi1): an item of its own, written once when the session opens and
 * never again, so the session's totals move without rewriting an index entry. Its insert is also what
 * announces the opening (`session.authorized`): the notify stream filter passes it, and never the session's
 * own later writes, so it carries what that notification says.
 */
const userSessionAttributesSchema = /* @__PURE__ */ pure(() =>
  z.object({
    sessionId: sessionSchema.shape.sessionId,
    userId: sessionSchema.shape.userId,
    startedAt: isoTimestampSchema,
    chargerId: sessionSchema.shape.chargerId,
    connectorId: sessionSchema.shape.connectorId,
    remoteStartRequestId: sessionSchema.shape.remoteStartRequestId,
  }),
);

const userSession = defineEntity<typeof userSessionAttributesSchema>()({
  entityType: 'UserSession',
  keys: {
    userSession: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'USER' }),
    userSessions: (userId: string, startedAt: string, sessionId: string) => ({
      gsi1pk: `USER#${userId}`,
      gsi1sk: `SESSION#${startedAt}#${sessionId}`,
    }),
    userSessionsPartition: (userId: string) => `USER#${userId}`,
  },
  primaryKey: (value, keys) => keys.userSession(value.sessionId),
  indexes: { gsi1: (value, keys) => keys.userSessions(value.userId, value.startedAt, value.sessionId) },
});

const meterRequest = defineEntity<typeof meterRequestSchema>()({
  entityType: 'MeterRequest',
  keys: {
    meterRequest: (sessionId: string, requestId: string) => ({
      pk: `SESSION#${sessionId}`,
      sk: `METERREQ#${requestId}`,
    }),
  },
  primaryKey: (value, keys) => keys.meterRequest(value.sessionId, value.requestId),
  // Armed while pending.
  indexes: { deadlines: { kind: 'meter-request', shardBy: (value) => value.requestId } },
});

const authAttempt = defineEntity<typeof authAttemptSchema>()({
  entityType: 'AuthAttempt',
  keys: {
    authAttempt: (chargerId: string, requestId: string) => ({
      pk: `AUTH#${chargerId}#${requestId}`,
      sk: 'AUTH',
    }),
  },
  primaryKey: (value, keys) => keys.authAttempt(value.chargerId, value.requestId),
  indexes: {},
  // A refused attempt tells its user why; an accepted one (its session's opening does) or one of an unknown tag
  // (no user) tells no one.
  streamSilent: (value) => value.status === 'Accepted' || value.userId === undefined,
});

const transactionStart = defineEntity<typeof transactionStartSchema>()({
  entityType: 'TransactionStart',
  keys: {
    /** One per (charger, connector, device time): a repeated start finds the transactionId it was given. */
    transactionStart: (chargerId: string, connectorId: number, at: string) => ({
      pk: `TXSTART#${chargerId}#${pad(connectorId)}`,
      sk: at,
    }),
  },
  primaryKey: (value, keys) => keys.transactionStart(value.chargerId, value.connectorId, value.at),
  indexes: {},
});

const transaction = defineEntity<typeof transactionSchema>()({
  entityType: 'Transaction',
  keys: {
    transaction: (transactionId: number) => ({ pk: `TRANSACTION#${transactionId}`, sk: 'TRANSACTION' }),
  },
  primaryKey: (value, keys) => keys.transaction(value.transactionId),
  indexes: {},
});

const orphanTransactionStop = defineEntity<typeof orphanTransactionStopSchema>()({
  entityType: 'OrphanTransactionStop',
  keys: {
    orphanTransactionStop: (chargerId: string, transactionId: number) => ({
      pk: `ORPHANSTOP#${chargerId}#${transactionId}`,
      sk: 'ORPHANSTOP',
    }),
  },
  primaryKey: (value, keys) => keys.orphanTransactionStop(value.chargerId, value.transactionId),
  // Written once (put if absent): the operators' list of recent orphan stops, newest last.
  indexes: {
    gsi1: (value) => ({
      gsi1pk: 'ORPHANSTOPS',
      gsi1sk: `${value.at}#${value.chargerId}#${value.transactionId}`,
    }),
  },
});

const command = defineEntity<typeof commandRecordSchema>()({
  entityType: 'Command',
  keys: {
    /** One per operator command; the charger is in the key, so only that charger's answer finds it. */
    command: (chargerId: string, requestId: string) => ({
      pk: `COMMAND#${chargerId}#${requestId}`,
      sk: 'COMMAND',
    }),
  },
  primaryKey: (value, keys) => keys.command(value.chargerId, value.requestId),
  indexes: {},
});

const remoteRequest = defineEntity<typeof remoteRequestSchema>()({
  entityType: 'RemoteRequest',
  keys: {
    /** One per remote start/stop; the charger is in the key, so only that charger's answer finds it. */
    remoteRequest: (chargerId: string, requestId: string) => ({
      pk: `REMOTEREQ#${chargerId}#${requestId}`,
      sk: 'REMOTEREQ',
    }),
  },
  primaryKey: (value, keys) => keys.remoteRequest(value.chargerId, value.requestId),
  // Armed while pending.
  indexes: { deadlines: { kind: 'remote-request', shardBy: (value) => value.requestId } },
});

const pendingRemoteStart = defineEntity<typeof pendingRemoteStartSchema>()({
  entityType: 'PendingRemoteStart',
  keys: {
    /** The remote start a transaction/start on (charger, connector, idTag) answers: one GetItem away. */
    pendingRemoteStart: (chargerId: string, connectorId: number, idTag: string) => ({
      pk: `REMOTESTART#${chargerId}#${pad(connectorId)}`,
      sk: idTag,
    }),
  },
  primaryKey: (value, keys) => keys.pendingRemoteStart(value.chargerId, value.connectorId, value.idTag),
  indexes: {},
});

const counter = defineEntity<typeof counterSchema>()({
  entityType: 'Counter',
  keys: { counter: (counterName: string) => ({ pk: `COUNTER#${counterName}`, sk: 'COUNTER' }) },
  primaryKey: (value, keys) => keys.counter(value.counterName),
  indexes: {},
});

/**
 * The one entity no contract describes, so its schema is the table's: a record that a message was processed
 * or a notification sent (today the notifications service's claim/sent record), expired by TTL
 * (`expiresAtEpochS`, a storage attribute like the keys).
 */
const idempotencyRecordSchema = /* @__PURE__ */ pure(() =>
  z.object({
    scope: z.string().check(z.minLength(1)),
    naturalKey: z.string().check(z.minLength(1)),
    /** What the record guards, e.g. the notification's kind. */
    kind: z.string().check(z.minLength(1)),
    state: z.enum(['claimed', 'sent']),
    claimToken: z.string().check(z.minLength(1)),
    claimedAt: isoTimestampSchema,
    /** Epoch ms until which the claim's holder may publish; removed once sent. */
    claimedUntil: z.optional(z.int().check(z.nonnegative())),
    attempts: z.int().check(z.positive()),
    messageId: z.optional(z.string()),
    sentAt: z.optional(isoTimestampSchema),
  }),
);

const idempotency = defineEntity<typeof idempotencyRecordSchema>()({
  entityType: 'Idempotency',
  keys: {
    /** One per processed message or sent notification, expired by TTL. */
    idempotency: (scope: string, naturalKey: string) => ({
      pk: `IDEMPOTENCY#${scope}#${naturalKey}`,
      sk: 'IDEMPOTENCY',
    }),
  },
  primaryKey: (value, keys) => keys.idempotency(value.scope, value.naturalKey),
  indexes: {},
});

const alert = defineEntity<typeof alertSchema>()({
  entityType: 'Alert',
  keys: {
    /** In the charger's partition: its alerts are one Query away, beside its connectors. */
    alert: (chargerId: string, kind: string) => ({ pk: `CHARGER#${chargerId}`, sk: `ALERT#${kind}` }),
    alertPrefix: 'ALERT#',
    /** A site-wide kind (site-load) in the site's partition: one per site and kind. */
    siteAlert: (siteId: string, kind: string) => ({ pk: `SITE#${siteId}`, sk: `ALERT#${kind}` }),
  },
  primaryKey: (value, keys) =>
    value.siteId === undefined
      ? keys.alert(value.chargerId, value.kind)
      : keys.siteAlert(value.siteId, value.kind),
  indexes: {},
});

/**
 * The telemetry service's memory of a charger's recent lifecycle events (the flapping detector counts over an hour,
 * longer than a Lambda tumbling window lives): written when new events arrive, expired by TTL.
 */
const presenceHistorySchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    events: z
      .array(
        z.object({
          /** The event's identity (session and type): the same event delivered twice is kept once. */
          key: z.string().check(z.minLength(1)),
          eventType: z.enum(['connected', 'disconnected']),
          versionNumber: z.int().check(z.nonnegative()),
          /** IoT Core's event time, epoch ms. */
          at: z.int().check(z.nonnegative()),
        }),
      )
      .check(z.maxLength(200)),
    updatedAt: isoTimestampSchema,
  }),
);

const presenceHistory = defineEntity<typeof presenceHistorySchema>()({
  entityType: 'PresenceHistory',
  keys: {
    presenceHistory: (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'PRESENCE_HISTORY' }),
  },
  primaryKey: (value, keys) => keys.presenceHistory(value.chargerId),
  indexes: {},
});

/**
 * A charger in the fleet list (gsi1, sharded like the deadlines): an item of its own, written once at
 * registration, so the operators' fleet view queries the list and never scans the table (readings included).
 */
const chargerListingAttributesSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    /** The site (grid connection) the charger belongs to, set by the operator CLI: rarely written, unlike CHARGER. */
    siteId: z.optional(chargerIdSchema),
  }),
);

const chargerListing = defineEntity<typeof chargerListingAttributesSchema>()({
  entityType: 'ChargerListing',
  keys: {
    chargerListing: (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'LISTING' }),
    chargerListingShard: (shard: number) => `CHARGERS#${shard}`,
  },
  primaryKey: (value, keys) => keys.chargerListing(value.chargerId),
  indexes: {
    gsi1: (value, keys) => ({
      gsi1pk: keys.chargerListingShard(shardOf(value.chargerId)),
      gsi1sk: value.chargerId,
    }),
  },
});

/** A site: chargers sharing one grid connection (their ChargerListing's `siteId`), set by the operator CLI. */
const siteAttributesSchema = /* @__PURE__ */ pure(() =>
  z.object({
    siteId: chargerIdSchema,
    /** The grid connection's limit in W; the telemetry site-load detector alerts above a share of it. */
    gridLimitW: z.optional(z.int().check(z.positive())),
    updatedAt: isoTimestampSchema,
  }),
);

const site = defineEntity<typeof siteAttributesSchema>()({
  entityType: 'Site',
  keys: { site: (siteId: string) => ({ pk: `SITE#${siteId}`, sk: 'SITE' }) },
  primaryKey: (value, keys) => keys.site(value.siteId),
  indexes: {},
});

/**
 * The telemetry service's latest power of each connector of a site (its chargers are on different shards of the
 * analysis stream): one entry per connector, each written only over an older one, so shards never lose each other's.
 */
const siteLoadAttributesSchema = /* @__PURE__ */ pure(() =>
  z.object({
    siteId: chargerIdSchema,
    /** By `{chargerId}#{connectorId}`: the power of its latest reading and that reading's device time (epoch ms). */
    connectors: z.record(
      z.string(),
      z.object({ powerW: z.number().check(z.nonnegative()), at: z.int().check(z.nonnegative()) }),
    ),
  }),
);

const siteLoad = defineEntity<typeof siteLoadAttributesSchema>()({
  entityType: 'SiteLoad',
  keys: { siteLoad: (siteId: string) => ({ pk: `SITE#${siteId}`, sk: 'LOAD' }) },
  primaryKey: (value, keys) => keys.siteLoad(value.siteId),
  indexes: {},
});

/** An hour's register range per connector of a charger (telemetry): energy = Σ (max − min), replay-safe. */
const chargerEnergyHourAttributesSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    /** UTC hour, `yyyy-MM-ddTHH`. */
    hour: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)),
    /** By connectorId: the lowest and highest register (Wh) read within the hour. */
    registers: z.record(z.string(), z.object({ minWh: z.number(), maxWh: z.number() })),
    energyWh: z.number().check(z.nonnegative()),
  }),
);

const chargerEnergyHour = defineEntity<typeof chargerEnergyHourAttributesSchema>()({
  entityType: 'ChargerEnergyHour',
  keys: {
    chargerEnergyHour: (chargerId: string, hour: string) => ({ pk: `ENERGY#${chargerId}`, sk: hour }),
    chargerEnergyPartition: (chargerId: string) => `ENERGY#${chargerId}`,
  },
  primaryKey: (value, keys) => keys.chargerEnergyHour(value.chargerId, value.hour),
  indexes: {},
});

/** An hour's energy of a site (telemetry): each charger's Wh, written only upwards by that charger's shard. */
const siteEnergyHourAttributesSchema = /* @__PURE__ */ pure(() =>
  z.object({
    siteId: chargerIdSchema,
    hour: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)),
    /** By chargerId: its energy within the hour, Wh (the site's is their sum). */
    chargers: z.record(z.string(), z.number().check(z.nonnegative())),
  }),
);

const siteEnergyHour = defineEntity<typeof siteEnergyHourAttributesSchema>()({
  entityType: 'SiteEnergyHour',
  keys: {
    siteEnergyHour: (siteId: string, hour: string) => ({ pk: `SITEENERGY#${siteId}`, sk: hour }),
    siteEnergyPartition: (siteId: string) => `SITEENERGY#${siteId}`,
  },
  primaryKey: (value, keys) => keys.siteEnergyHour(value.siteId, value.hour),
  indexes: {},
});

/** A session in the day's list (gsi1): written once when it opens, beside its user's entry. */
const sessionListingAttributesSchema = /* @__PURE__ */ pure(() =>
  z.object({ sessionId: sessionSchema.shape.sessionId, startedAt: isoTimestampSchema }),
);

const sessionListing = defineEntity<typeof sessionListingAttributesSchema>()({
  entityType: 'SessionListing',
  keys: {
    sessionListing: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'LISTING' }),
    sessionListingDay: (day: string) => `SESSIONS#${day}`,
  },
  primaryKey: (value, keys) => keys.sessionListing(value.sessionId),
  indexes: {
    gsi1: (value, keys) => ({
      gsi1pk: keys.sessionListingDay(value.startedAt.slice(0, 10)),
      gsi1sk: `${value.startedAt}#${value.sessionId}`,
    }),
  },
});

/** One operator action (the ops-console's audit log): who, what, on what, when, and its outcome. */
const operatorAuditSchema = /* @__PURE__ */ pure(() =>
  z.object({
    auditId: z.string().check(z.minLength(1)),
    at: isoTimestampSchema,
    operatorId: z.string().check(z.minLength(1)),
    action: z.string().check(z.minLength(1)),
    /** What it acted on: a charger, an idTag, a dead letter … */
    target: z.string(),
    input: z.optional(z.record(z.string(), z.unknown())),
    outcome: z.enum(['ok', 'refused', 'failed']),
    detail: z.optional(z.string().check(z.maxLength(1000))),
  }),
);

const operatorAudit = defineEntity<typeof operatorAuditSchema>()({
  entityType: 'OperatorAudit',
  keys: {
    /** A day's actions in one partition, newest first by sort key; expired by TTL (`expiresAtEpochS`). */
    operatorAudit: (day: string, at: string, auditId: string) => ({
      pk: `OPSAUDIT#${day}`,
      sk: `${at}#${auditId}`,
    }),
    operatorAuditDay: (day: string) => `OPSAUDIT#${day}`,
  },
  primaryKey: (value, keys) => keys.operatorAudit(value.at.slice(0, 10), value.at, value.auditId),
  indexes: {},
});

/**
 * Every entity's attributes (the contract's schema where the contract defines the entity), by the entity's name
 * in `entities`: the values, for tests and tools. The definitions above carry the types only, so a bundle builds a
 * schema only where it parses with it.
 */
export const entitySchemas: { [Name in keyof typeof entities]: SchemaTypeOf<(typeof entities)[Name]> } = {
  charger: chargerAttributesSchema,
  chargerBoot: chargerBootSchema,
  chargerStatus: chargerStatusSchema,
  connector: connectorSchema,
  connectorEvent: connectorEventSchema,
  idTag: idTagRecordSchema,
  session: sessionSchema,
  meterReading: meterReadingSchema,
  userSession: userSessionAttributesSchema,
  meterRequest: meterRequestSchema,
  authAttempt: authAttemptSchema,
  transactionStart: transactionStartSchema,
  transaction: transactionSchema,
  orphanTransactionStop: orphanTransactionStopSchema,
  command: commandRecordSchema,
  remoteRequest: remoteRequestSchema,
  pendingRemoteStart: pendingRemoteStartSchema,
  counter: counterSchema,
  idempotency: idempotencyRecordSchema,
  alert: alertSchema,
  presenceHistory: presenceHistorySchema,
  chargerListing: chargerListingAttributesSchema,
  site: siteAttributesSchema,
  siteLoad: siteLoadAttributesSchema,
  chargerEnergyHour: chargerEnergyHourAttributesSchema,
  siteEnergyHour: siteEnergyHourAttributesSchema,
  sessionListing: sessionListingAttributesSchema,
  operatorAudit: operatorAuditSchema,
};

/** A definition's schema type: what its `entitySchemas` value must be. */
type SchemaTypeOf<Definition> = Definition extends EntityDefinition<string, infer Schema> ? Schema : never;

/** Every entity the table stores. */
export const entities = {
  charger,
  chargerBoot,
  chargerStatus,
  connector,
  connectorEvent,
  idTag,
  session,
  userSession,
  meterReading,
  meterRequest,
  authAttempt,
  transactionStart,
  transaction,
  orphanTransactionStop,
  command,
  remoteRequest,
  pendingRemoteStart,
  counter,
  idempotency,
  alert,
  presenceHistory,
  operatorAudit,
  chargerListing,
  sessionListing,
  site,
  siteLoad,
  chargerEnergyHour,
  siteEnergyHour,
} as const;

/** Every key template of the table, by name (`keys.session(sessionId)`), from the definitions above. */
export const keys = keysOf(entities);

/** The tag stored on every item (`entityType`), so stream consumers tell items apart without parsing keys. */
export type EntityType = (typeof entities)[keyof typeof entities]['entityType'];
