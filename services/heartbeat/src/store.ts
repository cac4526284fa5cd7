// Access patterns of the heartbeat service: charger liveness (heartbeats, lifecycle events, the offline sweeper).
//
// | pattern                          | how                                                                  |
// | -------------------------------- | -------------------------------------------------------------------- |
// | record a heartbeat               | one conditional UpdateItem on keys.charger touching no index key     |
// | bring a charger back online      | that update's condition fails; a second one arms its deadline        |
// | apply a lifecycle event          | conditional UpdateItem(s) on keys.charger, ordered by version        |
// | find chargers due                | queryDueItems('charger-offline') on the sparse deadlines index       |
// | settle one due charger           | consistent GetItem, then offline or re-arm, conditional on what it read |
//
// The connection is the primary signal: connecting arms a backstop deadline (duePk, dueAt); a clean
// disconnect moves it to the end of the grace period; an unclean one takes the charger offline at once.
// Heartbeats only keep lastSeenAt, so the deadlines index is written on state changes and once per silence
// window (the sweeper re-arms a charger it heard from), never per heartbeat. `onlineSince` exists only while
// online: writes set `statusChangedAt = if_not_exists(onlineSince, :t)`, which changes it on a flip only.

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  BadInputError,
  type Charger,
  type ChargerBoot,
  type ChargerBootReport,
  type ChargerStatus,
  type CommandRecord,
  chargerBootReportSchema,
  TransientError,
} from '@evcharge/domain';
import {
  conditionFailedItem,
  deadlinePartitionFor,
  entities,
  entityOf,
  isConditionalCheckFailed,
  itemOf,
  keys,
  mapConcurrently,
  type OfflineSweep,
  queryDueItems,
  type TableContext,
  transact,
} from '@evcharge/dynamo';
import {
  type CommandAnswer,
  commandAnswerPlan,
  DEFAULT_LIVENESS_SETTINGS,
  DEFAULT_SWEEP_ALLOWANCE_S,
  deadlinePlan,
  type HeartbeatFacts,
  heartbeatDecision,
  isNewerPresence,
  type LivenessSettings,
  offlineSweepCutoffMs,
  type PresenceEffect,
  type PresenceOrder,
  type PresencePlan,
  presencePlan,
  type StatusReport,
} from './rules.js';

const notRegistered = () => new BadInputError('chargerId', 'is not a registered charger');

/** The charger item as it stood when a condition failed (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
interface StoredCharger {
  status: ChargerStatus;
  lastSeenAt?: string;
  dueAt?: number;
  duePk?: string;
  connected?: boolean;
  clockSkewFlagged?: boolean;
  firmware?: string;
  heartbeatIntervalS?: number;
  presenceVersion?: number;
  presenceTimestamp?: number;
}

/** The charger a failed condition returned, or undefined when there was none (an unregistered charger). */
const storedCharger = (error: unknown) => conditionFailedItem(error) as StoredCharger | undefined;

// ---- Heartbeat -------------------------------------------------------------------------------------

export type HeartbeatOutcome =
  | { outcome: 'recorded'; wentOnline: boolean }
  | { outcome: 'throttled' }
  | { outcome: 'stale' };

/** The writes a heartbeat can make, tried in this order; `heartbeatDecision` picks the next from a failure. */
const HEARTBEAT_WRITES = ['refresh', 'revive'] as const;
type HeartbeatWrite = (typeof HEARTBEAT_WRITES)[number];

/**
 * No read. The usual heartbeat is one conditional UpdateItem that touches no index key (one write unit):
 * lastSeenAt, device time, skew flag, and firmware/interval when they change. When its condition fails, the
 * returned old item says why (`heartbeatDecision`): throttled or stale (no-op), or a charger to bring back
 * online (offline, disconnected or unarmed), which a second write does; no item means not registered.
 */
export async function recordHeartbeat(
  table: TableContext,
  chargerId: string,
  facts: HeartbeatFacts,
): Promise<HeartbeatOutcome> {
  let write: HeartbeatWrite = 'refresh';
  for (let attempt = 1; attempt <= HEARTBEAT_WRITES.length + 1; attempt++) {
    try {
      const { Attributes } = await table.client.send(heartbeatUpdate(table, chargerId, facts, write));
      return { outcome: 'recorded', wentOnline: write === 'revive' && Attributes?.status !== 'online' };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = storedCharger(error);
      if (!stored) throw notRegistered();
      const decision = heartbeatDecision({ ...stored, deadlineArmed: stored.duePk !== undefined }, facts);
      if (decision === 'throttled' || decision === 'stale') return { outcome: decision };
      if (decision === write) {
        throw new Error(`heartbeat condition and heartbeatDecision disagree for charger ${chargerId}`);
      }
      write = decision;
    }
  }
  throw new TransientError(`charger ${chargerId} kept changing while a heartbeat was applied`);
}

function heartbeatUpdate(
  table: TableContext,
  chargerId: string,
  facts: HeartbeatFacts,
  write: HeartbeatWrite,
) {
  const reportsFirmware = facts.firmware !== undefined;
  const reportsInterval = facts.heartbeatIntervalS !== undefined;
  const values: Record<string, unknown> = {
    ':seenAt': facts.seenAt,
    ':seenAtMs': facts.seenAtMs,
    ':deviceAt': facts.deviceAt,
    ':skewed': facts.clockSkewFlagged,
    ':true': true,
    ':online': 'online',
    ...(reportsInterval ? { ':interval': facts.heartbeatIntervalS } : {}),
    ...(reportsFirmware ? { ':firmware': facts.firmware } : {}),
  };
  const set = [
    'lastSeenAt = :seenAt',
    'deviceAt = :deviceAt',
    'clockSkewFlagged = :skewed',
    ...(reportsInterval ? ['heartbeatIntervalS = :interval'] : []),
    ...(reportsFirmware ? ['firmware = :firmware'] : []),
  ];
  const condition = [
    'attribute_exists(pk)',
    // Newer than the last sign of life: lastSeenAt never moves backwards.
    '(attribute_not_exists(lastSeenAt) OR lastSeenAt < :seenAt)',
    // A heartbeat received before the latest applied disconnect cannot revive the charger.
    '(attribute_not_exists(connected) OR connected = :true OR attribute_not_exists(presenceTimestamp) OR presenceTimestamp < :seenAtMs)',
  ];
  const healthy = '#status = :online AND connected = :true AND attribute_exists(duePk)';
  if (write === 'refresh') {
    // Online, connected and armed: only fields outside every index key, and only when worth a write.
    values[':throttleBefore'] = facts.throttleBefore;
    const worthWriting = [
      'attribute_not_exists(lastSeenAt)',
      'lastSeenAt < :throttleBefore',
      'attribute_not_exists(clockSkewFlagged)',
      'clockSkewFlagged <> :skewed',
      ...(reportsFirmware ? ['attribute_not_exists(firmware)', 'firmware <> :firmware'] : []),
      ...(reportsInterval
        ? ['attribute_not_exists(heartbeatIntervalS)', 'heartbeatIntervalS <> :interval']
        : []),
    ];
    condition.push(healthy, `(${worthWriting.join(' OR ')})`);
  } else {
    // Back online: connected, the backstop deadline armed in the sparse index.
    Object.assign(values, {
      ':duePk': deadlinePartitionFor('charger-offline', chargerId),
      ':dueAt': facts.backstopDueAtMs,
    });
    set.push(
      'connected = :true',
      '#status = :online',
      'duePk = :duePk',
      'dueAt = :dueAt',
      'statusChangedAt = if_not_exists(onlineSince, :seenAt)',
      'onlineSince = if_not_exists(onlineSince, :seenAt)',
    );
    condition.push(`NOT (${healthy})`);
  }
  return new UpdateCommand({
    TableName: table.tableName,
    Key: keys.charger(chargerId),
    UpdateExpression: `SET ${set.join(', ')}`,
    ConditionExpression: condition.join(' AND '),
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
    ReturnValues: 'UPDATED_OLD',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
}

// ---- Lifecycle events ------------------------------------------------------------------------------

export type PresenceOutcome =
  | { outcome: 'applied'; plan: PresencePlan['kind']; statusChanged: boolean }
  | { outcome: 'outdated' };

const MAX_PRESENCE_ATTEMPTS = 4;

/**
 * Applies a lifecycle event unless a newer one (versionNumber, then timestamp) was applied already:
 * late events and duplicates are no-ops. The first write assumes the usual state (connected: nothing newer
 * seen; disconnected: online). When that condition fails, the returned old item decides the write
 * (`presencePlan`), made conditional on the very fields it was decided from; a concurrent change retries.
 */
export async function applyPresence(
  table: TableContext,
  chargerId: string,
  order: PresenceOrder,
  effect: PresenceEffect,
  nowMs: number,
): Promise<PresenceOutcome> {
  const at = new Date(effect.atMs).toISOString();
  let plan: PresencePlan =
    effect.kind === 'online'
      ? { kind: 'online', moveDeadline: true, dueAtMs: effect.dueAtMs }
      : effect.kind === 'grace'
        ? { kind: 'grace', deadlineMs: effect.deadlineMs }
        : { kind: 'offline' };
  let expected: StoredCharger | undefined;
  for (let attempt = 1; attempt <= MAX_PRESENCE_ATTEMPTS; attempt++) {
    try {
      const { Attributes } = await table.client.send(
        presenceUpdate(table, chargerId, order, at, plan, expected),
      );
      const statusChanged = Attributes?.status !== undefined && Attributes.status !== expectedStatus(plan);
      return { outcome: 'applied', plan: plan.kind, statusChanged };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = storedCharger(error);
      if (!stored) throw notRegistered();
      if (!isNewerPresence(order, stored)) return { outcome: 'outdated' };
      expected = stored;
      plan = presencePlan(effect, stored, nowMs);
    }
  }
  throw new TransientError(`charger ${chargerId} kept changing while a lifecycle event was applied`);
}

function expectedStatus(plan: PresencePlan): ChargerStatus | undefined {
  if (plan.kind === 'online' || plan.kind === 'grace') return 'online';
  if (plan.kind === 'offline') return 'offline';
  return undefined;
}

function presenceUpdate(
  table: TableContext,
  chargerId: string,
  order: PresenceOrder,
  at: string,
  plan: PresencePlan,
  expected: StoredCharger | undefined,
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':version': order.versionNumber,
    ':presenceTs': order.timestamp,
  };
  const set = ['presenceVersion = :version', 'presenceTimestamp = :presenceTs'];
  const remove: string[] = [];
  const condition = [
    'attribute_exists(pk)',
    '(attribute_not_exists(presenceVersion) OR presenceVersion < :version OR (presenceVersion = :version AND presenceTimestamp < :presenceTs))',
  ];
  switch (plan.kind) {
    case 'online':
      names['#status'] = 'status';
      Object.assign(values, {
        ':true': true,
        ':online': 'online',
        ':at': at,
        ':duePk': deadlinePartitionFor('charger-offline', chargerId),
      });
      set.push(
        'connected = :true',
        '#status = :online',
        'duePk = :duePk',
        'statusChangedAt = if_not_exists(onlineSince, :at)',
        'onlineSince = if_not_exists(onlineSince, :at)',
      );
      if (plan.moveDeadline) {
        values[':dueAt'] = plan.dueAtMs;
        set.push('lastSeenAt = :at', 'dueAt = :dueAt');
        if (!expected) condition.push('(attribute_not_exists(lastSeenAt) OR lastSeenAt < :at)');
      }
      break;
    case 'grace':
      names['#status'] = 'status';
      Object.assign(values, { ':false': false, ':deadline': plan.deadlineMs });
      set.push('connected = :false', 'dueAt = :deadline');
      // Values only the first (assumed-state) condition uses: DynamoDB refuses unused values.
      if (!expected) {
        Object.assign(values, { ':online': 'online', ':at': at });
        condition.push('#status = :online', '(attribute_not_exists(lastSeenAt) OR lastSeenAt <= :at)');
      }
      break;
    case 'offline':
      names['#status'] = 'status';
      Object.assign(values, { ':false': false, ':offline': 'offline', ':at': at });
      set.push('connected = :false', '#status = :offline', 'statusChangedAt = :at');
      remove.push('duePk', 'onlineSince');
      if (!expected) {
        values[':online'] = 'online';
        condition.push('#status = :online', '(attribute_not_exists(lastSeenAt) OR lastSeenAt <= :at)');
      }
      break;
    case 'record':
      if (plan.connected !== undefined) {
        values[':connected'] = plan.connected;
        set.push('connected = :connected');
      }
      break;
  }
  if (expected) {
    // Decided from the old item: hold the fields it was decided from.
    names['#status'] = 'status';
    values[':expectedStatus'] = expected.status;
    condition.push('#status = :expectedStatus');
    if (expected.lastSeenAt === undefined) condition.push('attribute_not_exists(lastSeenAt)');
    else {
      values[':expectedLastSeenAt'] = expected.lastSeenAt;
      condition.push('lastSeenAt = :expectedLastSeenAt');
    }
    if (expected.dueAt === undefined) condition.push('attribute_not_exists(dueAt)');
    else {
      values[':expectedDueAt'] = expected.dueAt;
      condition.push('dueAt = :expectedDueAt');
    }
  }
  return new UpdateCommand({
    TableName: table.tableName,
    Key: keys.charger(chargerId),
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: condition.join(' AND '),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ReturnValues: 'UPDATED_OLD',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
}

// ---- Offline sweeper -------------------------------------------------------------------------------

interface DeadlineOutcome {
  outcome: 'offline' | 'rearmed' | 'none';
  /** The consistent read of the charger (1 unit for an item up to 4 KB). */
  consumedReadUnits: number;
}

/**
 * One due charger: read it (consistent), decide (`deadlinePlan`: offline, or re-armed one silence window
 * after its last heartbeat), then one write conditional on the fields it was decided from, so a heartbeat,
 * event or other sweeper in between makes it a no-op (the next sweep decides again).
 */
export async function settleDueCharger(
  table: TableContext,
  key: { pk: string; sk: string },
  nowMs: number,
  settings: LivenessSettings,
  allowanceS: number,
): Promise<DeadlineOutcome> {
  const { Item, ConsumedCapacity } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { pk: key.pk, sk: key.sk },
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  const consumedReadUnits = ConsumedCapacity?.CapacityUnits ?? 1;
  if (!Item) return { outcome: 'none', consumedReadUnits };
  // The deadline's own attributes are index keys, which entityOf strips: read them from the item.
  const stored = Item as Charger & { duePk?: string; dueAt?: number };
  const plan = deadlinePlan(
    { ...stored, deadlineArmed: stored.duePk !== undefined },
    nowMs,
    settings,
    allowanceS,
  );
  if (plan.kind === 'none') return { outcome: 'none', consumedReadUnits };
  const values: Record<string, unknown> = { ':online': 'online', ':dueAt': stored.dueAt };
  const condition = ['#status = :online', 'attribute_exists(duePk)', 'dueAt = :dueAt'];
  if (stored.lastSeenAt === undefined) condition.push('attribute_not_exists(lastSeenAt)');
  else {
    values[':lastSeenAt'] = stored.lastSeenAt;
    condition.push('lastSeenAt = :lastSeenAt');
  }
  const update =
    plan.kind === 'offline'
      ? {
          UpdateExpression: 'SET #status = :offline, statusChangedAt = :now REMOVE duePk, onlineSince',
          values: { ':offline': 'offline', ':now': new Date(nowMs).toISOString() },
        }
      : { UpdateExpression: 'SET dueAt = :nextDueAt', values: { ':nextDueAt': plan.dueAtMs } };
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: update.UpdateExpression,
        ConditionExpression: condition.join(' AND '),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...values, ...update.values },
      }),
    );
    return { outcome: plan.kind === 'offline' ? 'offline' : 'rearmed', consumedReadUnits };
  } catch (error) {
    if (isConditionalCheckFailed(error)) return { outcome: 'none', consumedReadUnits };
    throw error;
  }
}

export interface SweepOptions {
  /** Epoch ms after which no new round starts (the invocation's time budget). */
  stopBy?: number;
  /** Due chargers read per shard and round. */
  pageSize?: number;
  /** How long past its deadline a charger is left for a sign of life still in flight. */
  allowanceS?: number;
  /** Grace and backstop of this deployment (the silence window of each charger follows from them). */
  settings?: LivenessSettings;
}

const SWEEP_CONCURRENCY = 16;
const MAX_SWEEP_ROUNDS = 50;

/**
 * Settles every online charger whose deadline passed more than the allowance ago: offline when its grace
 * ran out or it fell silent, else re-armed. A round reads one page of due keys per shard; chargers it
 * settles leave the due range (offline: out of the sparse index; re-armed: dueAt moved on), so another
 * round is needed only when a shard filled its page, as after a mass outage.
 */
export async function sweepOfflineChargers(
  table: TableContext,
  nowMs: number,
  options: SweepOptions = {},
): Promise<OfflineSweep> {
  const pageSize = options.pageSize ?? 100;
  const allowanceS = options.allowanceS ?? DEFAULT_SWEEP_ALLOWANCE_S;
  const settings = options.settings ?? DEFAULT_LIVENESS_SETTINGS;
  const dueByMs = offlineSweepCutoffMs(nowMs, allowanceS);
  const sweep: OfflineSweep = { due: 0, markedOffline: 0, rearmed: 0, consumedReadUnits: 0, rounds: 0 };
  for (;;) {
    const { items, consumedReadUnits } = await queryDueItems(table, 'charger-offline', dueByMs, pageSize);
    sweep.rounds++;
    sweep.due += items.length;
    sweep.consumedReadUnits += consumedReadUnits;
    let settledThisRound = 0;
    const outcomes = await mapConcurrently(items, SWEEP_CONCURRENCY, (item) =>
      settleDueCharger(table, item, nowMs, settings, allowanceS),
    );
    for (const { outcome, consumedReadUnits: units } of outcomes) {
      sweep.consumedReadUnits += units;
      if (outcome === 'offline') sweep.markedOffline++;
      if (outcome === 'rearmed') sweep.rearmed++;
      if (outcome !== 'none') settledThisRound++;
    }
    const noShardFull = items.length < pageSize;
    const outOfTime = options.stopBy !== undefined && Date.now() >= options.stopBy;
    if (noShardFull || settledThisRound === 0 || outOfTime || sweep.rounds >= MAX_SWEEP_ROUNDS) return sweep;
  }
}

// ---- Boot ------------------------------------------------------------------------------------------

export type BootOutcome = { outcome: 'recorded' | 'outdated'; charger: Charger };

/**
 * Reads the charger (its registration status and interval answer the boot), then keeps the boot's registry
 * record, unless a later boot (device time, then receive time) is already kept. An unregistered charger is bad input; an outdated boot (a replay, a
 * duplicate) is still answered, from the charger as it is now.
 */
export async function recordBoot(table: TableContext, report: ChargerBootReport): Promise<BootOutcome> {
  return transact<BootOutcome>(table, `boot ${report.bootRequestId} of ${report.chargerId}`, async () => {
    const { Item } = await table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.charger(report.chargerId),
        ConsistentRead: true,
      }),
    );
    if (!Item) throw notRegistered();
    const charger = entityOf<Charger>(Item);
    const boot = { ...report, bootAnswerStatus: charger.registrationStatus ?? 'Accepted' };
    return {
      items: [
        {
          Update: {
            ...bootReportUpdate(table.tableName, boot),
            ConditionExpression:
              'attribute_not_exists(lastBootAt) OR lastBootAt < :at OR (lastBootAt = :at AND lastBootReceivedAt < :receivedAt)',
          },
        },
      ],
      result: { outcome: 'recorded', charger },
      conditionFailed: () => ({ done: { outcome: 'outdated', charger } }),
    };
  });
}

const bootReportFields = Object.keys(chargerBootReportSchema.shape) as (keyof ChargerBootReport)[];

/**
 * Writes a boot's report over the registry record: every report field it carries is set, every one it
 * lacks is removed (a later boot replaces the report), and the firmware and diagnostics statuses stay.
 */
function bootReportUpdate(tableName: string, report: ChargerBootReport) {
  const { pk, sk, ...attributes } = itemOf(entities.chargerBoot, report);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':at': report.lastBootAt,
    ':receivedAt': report.lastBootReceivedAt,
  };
  const present = Object.entries(attributes).filter(([, value]) => value !== undefined);
  const set = present.map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    return `#a${index} = :a${index}`;
  });
  const remove = bootReportFields.filter((field) => report[field] === undefined);
  return {
    TableName: tableName,
    Key: { pk, sk },
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

// ---- Firmware and diagnostics status ---------------------------------------------------------------

export type StatusReportOutcome = { outcome: 'recorded' | 'outdated' };

/**
 * Keeps a firmware or diagnostics status on the charger's registry record (the item boot writes, never the
 * hot-path charger item) unless a newer one (device time, then receive time) is kept already. An unregistered charger, or one that never booted (no registry record), is
 * bad input: an OCPP charger boots before it reports anything.
 */
export async function recordStatusReport(
  table: TableContext,
  chargerId: string,
  report: StatusReport,
): Promise<StatusReportOutcome> {
  const { field } = report;
  return transact<StatusReportOutcome>(table, `${field} ${report.messageId} of ${chargerId}`, () => ({
    items: [
      {
        Update: {
          TableName: table.tableName,
          Key: keys.chargerBoot(chargerId),
          UpdateExpression: `SET ${field} = :status, ${field}At = :at, ${field}ReceivedAt = :receivedAt, ${field}MessageId = :messageId`,
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(${field}At) OR ${field}At < :at OR (${field}At = :at AND ${field}ReceivedAt < :receivedAt))`,
          ExpressionAttributeValues: {
            ':status': report.status,
            ':at': report.at,
            ':receivedAt': report.receivedAt,
            ':messageId': report.messageId,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ],
    result: { outcome: 'recorded' },
    conditionFailed: (failed) => {
      if (!failed[0]?.item) throw new BadInputError('chargerId', 'has not booted: send boot first');
      return { done: { outcome: 'outdated' } };
    },
  }));
}

// ---- Operator command answers -----------------------------------------------------------------------

export type CommandAnswerOutcome = { outcome: 'recorded'; late: boolean } | { outcome: 'duplicate' };

/**
 * Records a charger's answer on its Command item (read, `commandAnswerPlan`, then an Update conditional on
 * the state it was decided from). The committed
 * change is what the notifications service turns into `command.result`.
 */
export async function recordCommandAnswer(
  table: TableContext,
  answer: CommandAnswer,
): Promise<CommandAnswerOutcome> {
  const key = keys.command(answer.chargerId, answer.requestId);
  const what = `answer to command ${answer.requestId} of ${answer.chargerId}`;
  return transact<CommandAnswerOutcome>(table, what, async () => {
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    );
    const command = Item ? entityOf<CommandRecord>(Item) : undefined;
    const plan = commandAnswerPlan(command, answer);
    if (plan.kind === 'duplicate' || !command) return { done: { outcome: 'duplicate' } };
    const set = [
      '#state = :answered',
      'answerStatus = :status',
      'answerAt = :at',
      'answerReceivedAt = :receivedAt',
      'lateAnswer = :late',
      ...(answer.payload !== undefined ? ['answerPayload = :payload'] : []),
    ];
    return {
      items: [
        {
          Update: {
            TableName: table.tableName,
            Key: key,
            UpdateExpression: `SET ${set.join(', ')}`,
            ConditionExpression: '#state = :expected',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':answered': 'answered',
              ':status': answer.status,
              ':at': answer.at,
              ':receivedAt': answer.receivedAt,
              ':late': plan.late,
              ':expected': command.state,
              ...(answer.payload !== undefined ? { ':payload': answer.payload } : {}),
            },
          },
        },
      ],
      result: { outcome: 'recorded', late: plan.late },
      conditionFailed: () => 'reread',
    };
  });
}

export async function getChargerBoot(
  table: TableContext,
  chargerId: string,
): Promise<ChargerBoot | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.chargerBoot(chargerId) }),
  );
  return Item ? entityOf<ChargerBoot>(Item) : undefined;
}
