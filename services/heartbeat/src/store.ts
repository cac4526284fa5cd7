// Access patterns of the heartbeat service: charger liveness (heartbeats, lifecycle events, the offline sweeper).
//
// | pattern                          | how                                                            |
// | -------------------------------- | -------------------------------------------------------------- |
// | record a heartbeat               | one conditional UpdateItem on keys.charger, no read            |
// | apply a lifecycle event          | conditional UpdateItem(s) on keys.charger, ordered by version  |
// | find chargers due offline        | queryDueItems('charger-offline') on the sparse deadlines index |
// | mark one offline                 | conditional UpdateItem: online AND dueAt <= now − allowance    |
//
// While online a charger carries duePk (its deadline shard) and dueAt; going offline removes duePk, so the
// sweeper reads only chargers that are online and due. `onlineSince` exists only while online: writes set
// `statusChangedAt = if_not_exists(onlineSince, :t)`, which changes it on an offline→online flip only.

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
  chargerLivenessUpdate,
  conditionFailedItem,
  deadlinePartitionFor,
  entities,
  entityOf,
  isConditionalCheckFailed,
  itemOf,
  keys,
  type OfflineSweep,
  queryDueItems,
  type TableContext,
  transact,
} from '@evcharge/dynamo';
import {
  type CommandAnswer,
  commandAnswerPlan,
  type HeartbeatFacts,
  heartbeatDecision,
  isNewerPresence,
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

/**
 * One conditional UpdateItem, no read: refreshes lastSeenAt and the offline deadline, stores the device
 * time, firmware, reported interval and skew flag, and flips offline→online. The condition holds the
 * throttle and ordering rules of `heartbeatDecision`; when it fails, the returned old item says which
 * (throttled or stale: no-op), and no item means the charger is not registered (bad input).
 */
export async function recordHeartbeat(
  table: TableContext,
  chargerId: string,
  facts: HeartbeatFacts,
): Promise<HeartbeatOutcome> {
  const reportsFirmware = facts.firmware !== undefined;
  const reportedWindowMs = facts.heartbeatIntervalS !== undefined ? facts.livenessWindowMs : undefined;
  const reportsInterval = reportedWindowMs !== undefined;
  const set = [
    'lastSeenAt = :seenAt',
    'deviceAt = :deviceAt',
    'clockSkewFlagged = :skewed',
    'connected = :true',
    '#status = :online',
    'duePk = :duePk',
    'statusChangedAt = if_not_exists(onlineSince, :seenAt)',
    'onlineSince = if_not_exists(onlineSince, :seenAt)',
    reportsInterval ? 'dueAt = :dueAt' : 'dueAt = :seenAtMs + livenessWindowMs',
    ...(reportsInterval ? ['heartbeatIntervalS = :interval', 'livenessWindowMs = :window'] : []),
    ...(reportsFirmware ? ['firmware = :firmware'] : []),
  ];
  const worthWriting = [
    '#status <> :online',
    'attribute_not_exists(duePk)',
    'attribute_not_exists(connected)',
    'connected <> :true',
    'attribute_not_exists(lastSeenAt)',
    'lastSeenAt < :throttleBefore',
    'attribute_not_exists(dueAt)',
    'dueAt < :throttleDueFloor',
    'attribute_not_exists(clockSkewFlagged)',
    'clockSkewFlagged <> :skewed',
    ...(reportsFirmware ? ['attribute_not_exists(firmware)', 'firmware <> :firmware'] : []),
    ...(reportsInterval
      ? ['attribute_not_exists(heartbeatIntervalS)', 'heartbeatIntervalS <> :interval']
      : []),
  ];
  const condition = [
    'attribute_exists(pk)',
    // Newer than the last sign of life: lastSeenAt never moves backwards.
    '(attribute_not_exists(lastSeenAt) OR lastSeenAt < :seenAt)',
    // A heartbeat received before the latest applied disconnect cannot revive the charger.
    '(attribute_not_exists(connected) OR connected = :true OR attribute_not_exists(presenceTimestamp) OR presenceTimestamp < :seenAtMs)',
    `(${worthWriting.join(' OR ')})`,
  ].join(' AND ');
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.charger(chargerId),
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':seenAt': facts.seenAt,
          ':seenAtMs': facts.seenAtMs,
          ':deviceAt': facts.deviceAt,
          ':skewed': facts.clockSkewFlagged,
          ':true': true,
          ':online': 'online',
          ':duePk': deadlinePartitionFor('charger-offline', chargerId),
          ':throttleBefore': facts.throttleBefore,
          ':throttleDueFloor': facts.throttleDueFloorMs,
          ...(reportsInterval
            ? {
                ':dueAt': facts.seenAtMs + reportedWindowMs,
                ':interval': facts.heartbeatIntervalS,
                ':window': reportedWindowMs,
              }
            : {}),
          ...(reportsFirmware ? { ':firmware': facts.firmware } : {}),
        },
        ReturnValues: 'UPDATED_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { outcome: 'recorded', wentOnline: Attributes?.status !== 'online' };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const stored = storedCharger(error);
    if (!stored) throw notRegistered();
    const decision = heartbeatDecision({ ...stored, deadlineArmed: stored.duePk !== undefined }, facts);
    if (decision === 'write') {
      throw new Error(`heartbeat condition and heartbeatDecision disagree for charger ${chargerId}`);
    }
    return { outcome: decision };
  }
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
      ? { kind: 'online', moveDeadline: true }
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
        values[':atMs'] = Date.parse(at);
        set.push('lastSeenAt = :at', 'dueAt = :atMs + livenessWindowMs');
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

/**
 * online → offline at `nowMs`, only if the charger is still online and still due by `dueByMs`: a heartbeat
 * that moved the deadline, or another sweeper that got there first, makes this a no-op (false).
 */
export async function markChargerOfflineIfDue(
  table: TableContext,
  key: { pk: string; sk: string },
  nowMs: number,
  dueByMs: number,
): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: 'SET #status = :offline, statusChangedAt = :now REMOVE duePk, onlineSince',
        ConditionExpression: '#status = :online AND attribute_exists(duePk) AND dueAt <= :dueBy',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':offline': 'offline',
          ':online': 'online',
          ':now': new Date(nowMs).toISOString(),
          ':dueBy': dueByMs,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
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
}

const SWEEP_CONCURRENCY = 16;
const MAX_SWEEP_ROUNDS = 50;

/**
 * Marks every online charger whose deadline passed more than the allowance ago offline. A round reads one page of due keys per shard;
 * chargers it handles leave the due range (offline: out of the sparse index; refreshed: dueAt moved on), so
 * another round is needed only when a shard filled its page, as after a mass outage.
 */
export async function sweepOfflineChargers(
  table: TableContext,
  nowMs: number,
  options: SweepOptions = {},
): Promise<OfflineSweep> {
  const pageSize = options.pageSize ?? 100;
  const dueByMs = offlineSweepCutoffMs(nowMs, options.allowanceS);
  const sweep: OfflineSweep = { due: 0, markedOffline: 0, consumedReadUnits: 0, rounds: 0 };
  for (;;) {
    const { items, consumedReadUnits } = await queryDueItems(table, 'charger-offline', dueByMs, pageSize);
    sweep.rounds++;
    sweep.due += items.length;
    sweep.consumedReadUnits += consumedReadUnits;
    let markedThisRound = 0;
    for (let start = 0; start < items.length; start += SWEEP_CONCURRENCY) {
      const batch = items.slice(start, start + SWEEP_CONCURRENCY);
      const results = await Promise.all(
        batch.map((item) => markChargerOfflineIfDue(table, item, nowMs, dueByMs)),
      );
      markedThisRound += results.filter(Boolean).length;
    }
    sweep.markedOffline += markedThisRound;
    const noShardFull = items.length < pageSize;
    const outOfTime = options.stopBy !== undefined && Date.now() >= options.stopBy;
    if (noShardFull || markedThisRound === 0 || outOfTime || sweep.rounds >= MAX_SWEEP_ROUNDS) return sweep;
  }
}

// ---- Boot ------------------------------------------------------------------------------------------

export type BootOutcome = { outcome: 'recorded' | 'outdated'; charger: Charger };

/**
 * Reads the charger (its registration status and interval answer the boot), then in one transaction keeps
 * the boot's registry record, unless a later boot (device time, then receive time) is already kept, and
 * refreshes the charger's liveness. An unregistered charger is bad input; an outdated boot (a replay, a
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
        chargerLivenessUpdate(table.tableName, boot.chargerId, boot.lastBootReceivedAt),
      ],
      result: { outcome: 'recorded', charger },
      conditionFailed: (failed) => {
        if (failed.some((condition) => condition.index === 1)) throw notRegistered();
        return { done: { outcome: 'outdated', charger } };
      },
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
 * hot-path charger item) unless a newer one (device time, then receive time) is kept already, and refreshes
 * liveness, in one transaction. An unregistered charger, or one that never booted (no registry record), is
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
      chargerLivenessUpdate(table.tableName, chargerId, report.receivedAt),
    ],
    result: { outcome: 'recorded' },
    conditionFailed: (failed) => {
      if (failed.some((condition) => condition.index === 1)) throw notRegistered();
      if (!failed[0]?.item) throw new BadInputError('chargerId', 'has not booted: send boot first');
      return { done: { outcome: 'outdated' } };
    },
  }));
}

// ---- Operator command answers -----------------------------------------------------------------------

export type CommandAnswerOutcome = { outcome: 'recorded'; late: boolean } | { outcome: 'duplicate' };

/**
 * Records a charger's answer on its Command item (read, `commandAnswerPlan`, then an Update conditional on
 * the state it was decided from), with the charger's sign of life in the same transaction. The committed
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
        chargerLivenessUpdate(table.tableName, answer.chargerId, Date.parse(answer.receivedAt)),
      ],
      result: { outcome: 'recorded', late: plan.late },
      conditionFailed: (failed) => {
        if (failed.some((condition) => condition.index === 1)) throw notRegistered();
        return 'reread';
      },
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
