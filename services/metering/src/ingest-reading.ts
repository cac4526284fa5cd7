import {
  BadInputError,
  type Connector,
  isActiveSessionStatus,
  MAX_DEVICE_CLOCK_AHEAD_MS,
  type MeterReading,
  type MeterTopicEvent,
  type MeterValuesEvent,
  type Session,
} from '@evcharge/domain';
import {
  getCharger,
  getConnector,
  getMeterRequest,
  getSession,
  type TableContext,
  transact,
} from '@evcharge/dynamo';
import {
  applyPreSessionReading,
  applyReading,
  applyStoppedReading,
  type IncomingReading,
  isResolvable,
  meterReadingOf,
  precedesSession,
  type ReadingAnomaly,
  type ReadingApplication,
  type RegisterState,
  readingsOf,
  sessionTotalsOf,
  unbelievableTimestampOf,
} from './rules.js';
import {
  connectorRegisterEffect,
  findNextSessionOnConnector,
  getTransaction,
  meterRequestAnswerEffect,
  type ReadingEffect,
  sessionMeterEffect,
  storeMeterReading,
} from './store.js';

export interface IngestOutcome {
  stored: 'stored' | 'duplicate';
  /** The session the reading was linked to; absent when it stays on the connector's history. */
  sessionId?: string;
  applied: boolean;
  anomaly?: ReadingAnomaly;
  answeredRequestId?: string;
}

/** A v1 message has one reading; a v2 message (OCPP MeterValues) one per timestamp. */
export type MessageOutcome = IngestOutcome | { readings: IngestOutcome[] };

/**
 * Where a reading goes: its session, or the connector's history. A reading on the connector's history may
 * precede the session now holding the connector (`following`), whose start it then is. A refused
 * transaction's reading is kept and goes nowhere (`unlinked`).
 */
type Link =
  | { session: Session; connector?: undefined; following?: undefined; unlinked?: undefined }
  | { session?: undefined; connector: Connector; following?: Session | undefined; unlinked?: undefined }
  | { session?: undefined; connector?: undefined; following?: undefined; unlinked: ReadingAnomaly };

/** A reading with a register: only those move registers. */
type RegisterMeterReading = MeterReading & { registerWh: number };
const hasRegister = (reading: MeterReading): reading is RegisterMeterReading =>
  reading.registerWh !== undefined;

/** What one reading does: the reading to store (write 1) and the effects of write 2, all from one read. */
interface ReadingPlan {
  link: Link;
  reading: MeterReading;
  application: ReadingApplication;
  effects: ReadingEffect[];
  answeredRequestId?: string;
}

/** Plans tried against fresh state when the state moves between read and write 2, before Lambda's retry. */
const MAX_PLANS = 3;

/**
 * Keeps every reading of a `meter` message, oldest first. A v2 message's timestamps must each be orderable
 * (not over 5 minutes ahead of the receive time); a repeated message is the same message, reading by reading.
 */
export async function ingestMeterMessage(
  table: TableContext,
  event: MeterTopicEvent,
): Promise<MessageOutcome> {
  if ('energy' in event) return ingestReading(table, readingsOf(event)[0]!);
  const ahead = unbelievableTimestampOf(event);
  if (ahead !== undefined) {
    throw new BadInputError(
      `meterValue.${ahead}.timestamp`,
      `is more than ${MAX_DEVICE_CLOCK_AHEAD_MS / 60_000} minutes ahead of the server's receive time`,
    );
  }
  const connectorId = event.connectorId ?? (await connectorOfTransaction(table, event));
  const readings: IngestOutcome[] = [];
  for (const reading of readingsOf(event, connectorId)) readings.push(await ingestReading(table, reading));
  return { readings };
}

/** The connector a transaction's readings belong to when the message does not name it (transactionData). */
async function connectorOfTransaction(table: TableContext, event: MeterValuesEvent): Promise<number> {
  const transaction =
    event.transactionId === undefined ? undefined : await getTransaction(table, event.transactionId);
  if (!transaction || transaction.chargerId !== event.chargerId) {
    throw new BadInputError('transactionId', 'is not a transaction of this charger');
  }
  return transaction.connectorId;
}

/**
 * Keeps every reading exactly once and moves the totals it belongs to, in at most two writes:
 * (1) the reading (one PutItem), (2) its effects (session, connector, request answer) in one call.
 * A duplicate delivery stores nothing; its effects are planned against fresh state, so they are empty
 * unless an earlier delivery stopped between the two writes.
 */
export async function ingestReading(table: TableContext, event: IncomingReading): Promise<IngestOutcome> {
  if (event.connectorId === 0) {
    // The charger's main meter: kept for the charger, never a session's.
    if (!(await getCharger(table, event.chargerId))) {
      throw new BadInputError('chargerId', 'is not a registered charger');
    }
    return { stored: await storeMeterReading(table, meterReadingOf(event)), applied: false };
  }
  let plan = await planReading(table, event);
  const stored = await storeMeterReading(table, plan.reading);
  return transact<IngestOutcome>(
    table,
    `reading ${event.messageId} at ${event.at} of ${event.chargerId}`,
    async (attempt) => {
      if (attempt > 1) {
        // The state moved between read and write (another reading, an unplug, an authorization). Nothing
        // was written: plan again against fresh state at once, so the reading lands before the next decision.
        const fresh = await planReading(table, event);
        if (fresh.effects.length === 0) return { done: outcomeOf(plan, stored, false) };
        plan = fresh;
      }
      if (plan.effects.length === 0) return { done: outcomeOf(plan, stored, true) };
      return { items: plan.effects, result: outcomeOf(plan, stored, true) };
    },
    { maxAttempts: MAX_PLANS },
  );
}

/** A request counts as answered only by the plan this invocation committed. */
function outcomeOf(plan: ReadingPlan, stored: IngestOutcome['stored'], committed: boolean): IngestOutcome {
  return {
    stored,
    ...(plan.link.session ? { sessionId: plan.link.session.sessionId } : {}),
    applied: plan.application.changed,
    ...(plan.application.changed ? {} : { anomaly: plan.application.anomaly }),
    ...(committed && plan.answeredRequestId ? { answeredRequestId: plan.answeredRequestId } : {}),
  };
}

async function planReading(table: TableContext, event: IncomingReading): Promise<ReadingPlan> {
  const link = await linkOf(table, event);
  const reading = meterReadingOf(event, link.session?.sessionId);
  if (link.unlinked) {
    const application: ReadingApplication = { changed: false, anomaly: link.unlinked, next: {} };
    return { link, reading: { ...reading, anomaly: link.unlinked }, application, effects: [] };
  }
  const application = applicationOf(link, reading);
  const stored = application.changed ? reading : { ...reading, anomaly: application.anomaly };
  const plan: ReadingPlan = { link, reading: stored, application, effects: [] };

  if (!link.session) {
    if (!hasRegister(reading)) return plan;
    plan.effects.push(...preSessionEffects(table, link.connector, link.following, reading));
    if (!application.changed && plan.effects.length > 0) {
      // It did not move the connector's register, but it is the following session's start.
      plan.application = { changed: true, next: application.next };
      plan.reading = reading;
    }
    return plan;
  }
  const session = link.session;
  const next = application.next;
  const totals = sessionTotalsOf(next, session);
  if (application.changed) {
    plan.effects.push(
      sessionMeterEffect(table.tableName, {
        sessionId: session.sessionId,
        expected: registerStateOf(link),
        next,
        totals,
        expectedSession: session,
      }),
    );
  }
  // A stopped transaction's readings never reach the connector: in order, they were its session's.
  if (!isActiveSessionStatus(session.status) && session.stopReason === undefined && hasRegister(reading))
    plan.effects.push(...(await carryOver(table, session, reading)));

  const request = reading.requestId
    ? await getMeterRequest(table, session.sessionId, reading.requestId)
    : undefined;
  if (isResolvable(request)) {
    plan.effects.push(
      meterRequestAnswerEffect(table.tableName, {
        sessionId: session.sessionId,
        requestId: request.requestId,
        status: 'answered',
        resolvedAt: reading.receivedAt,
        energyWh: totals.energyWh,
        costMinor: totals.costMinor,
        powerW: next.powerW,
        lastReadingAt: next.lastReadingAt,
        currency: session.currency,
      }),
    );
    plan.answeredRequestId = request.requestId;
  }
  return plan;
}

/**
 * What a reading does to the register state it links to. A session an OCPP transaction/stop completed has
 * its totals fixed by the stop; an OCPP transaction's start is its meterStart, which no reading moves.
 */
function applicationOf(link: Exclude<Link, { unlinked: ReadingAnomaly }>, reading: MeterReading) {
  const state = registerStateOf(link);
  if (!hasRegister(reading)) return { changed: false, anomaly: 'no-register', next: state } as const;
  if (link.session?.stopReason !== undefined) return applyStoppedReading(state, reading);
  return applyReading(state, reading, { fixedStart: link.session?.transactionId !== undefined });
}

/**
 * A reading names its transaction or session, or belongs to the session that held the connector when it was taken: the
 * active session if the reading's device time is not before that session's start, else none (it precedes
 * the session, and is its start). Decided by time, not by what is active when the reading is processed,
 * so a reading shuffled across an authorization links the same way in every order.
 */
async function linkOf(table: TableContext, event: IncomingReading): Promise<Link> {
  if (event.transactionId !== undefined) return transactionLinkOf(table, event, event.transactionId);
  if (event.sessionId) {
    const session = await getSession(table, event.sessionId);
    if (!session || session.chargerId !== event.chargerId || session.connectorId !== event.connectorId) {
      throw new BadInputError('sessionId', 'is not a session of this charger and connector');
    }
    return { session };
  }
  const connector = await getConnector(table, event.chargerId, event.connectorId);
  if (!connector) throw new BadInputError('connectorId', 'is not a connector of this charger');
  const session = connector.activeSessionId ? await getSession(table, connector.activeSessionId) : undefined;
  if (session && precedesSession(event, session)) return { connector, following: session };
  return session ? { session } : { connector };
}

/**
 * A reading naming an OCPP transaction goes to the session charge-authorization opened for it (the
 * Transaction item it wrote before answering the start, so the charger cannot know the id earlier).
 */
async function transactionLinkOf(
  table: TableContext,
  event: IncomingReading,
  transactionId: number,
): Promise<Link> {
  const transaction = await getTransaction(table, transactionId);
  if (
    !transaction ||
    transaction.chargerId !== event.chargerId ||
    transaction.connectorId !== event.connectorId
  ) {
    throw new BadInputError('transactionId', 'is not a transaction of this charger and connector');
  }
  if (event.sessionId !== undefined && event.sessionId !== transaction.sessionId) {
    throw new BadInputError('sessionId', 'is not the session of this transactionId');
  }
  if (transaction.sessionId === undefined) return { unlinked: 'transaction-refused' };
  const session = await getSession(table, transaction.sessionId);
  // Written in one transaction with the Transaction item: missing, it is a bug, retried and dead-lettered.
  if (!session)
    throw new Error(`transaction ${transactionId} names a missing session ${transaction.sessionId}`);
  return { session };
}

function registerStateOf(link: Exclude<Link, { unlinked: ReadingAnomaly }>): RegisterState {
  if (link.session) {
    const { energyStartWh, energyStartAt, latestRegisterWh, lastReadingAt, powerW } = link.session;
    return { energyStartWh, energyStartAt, latestRegisterWh, lastReadingAt, powerW };
  }
  return { latestRegisterWh: link.connector.lastRegisterWh, lastReadingAt: link.connector.lastReadingAt };
}

/**
 * A reading taken before the `following` session (or while no session followed yet): it moves the
 * connector's register (the next session's start) and, if a session already took its start from the
 * connector, that session's start, as the in-order authorization would have. Both are conditioned on what
 * was read (the connector's holder, the session's status), so a reading racing a decision is planned again.
 */
function preSessionEffects(
  table: TableContext,
  connector: Connector,
  following: Session | undefined,
  reading: RegisterMeterReading,
): ReadingEffect[] {
  const effects: ReadingEffect[] = [];
  // An OCPP transaction's start is its meterStart, not the connector's register.
  if (following && following.transactionId === undefined) {
    const expected = registerStateOf({ session: following });
    const application = applyPreSessionReading(expected, reading);
    if (application.changed) {
      effects.push(
        sessionMeterEffect(table.tableName, {
          sessionId: following.sessionId,
          expected,
          next: application.next,
          totals: sessionTotalsOf(application.next, following),
          expectedSession: following,
        }),
      );
    }
  }
  if (applyReading(registerStateOf({ connector }), reading).changed) {
    effects.push(
      connectorRegisterEffect(table.tableName, {
        chargerId: connector.chargerId,
        connectorId: connector.connectorId,
        expected: { lastRegisterWh: connector.lastRegisterWh, lastReadingAt: connector.lastReadingAt },
        next: { lastRegisterWh: reading.registerWh, lastReadingAt: reading.at },
        ...(connector.activeSessionId ? { heldBy: connector.activeSessionId } : { requireFree: true }),
      }),
    );
  }
  return effects;
}

/**
 * A late reading of a session that has ended (a Transaction.End processed after the unplug) moves that
 * session's totals, and must not be billed again by the next session on the connector, which started
 * from the connector's register: it carries over to the connector, and to the start of the session that
 * followed, whether it still holds the connector or has ended too (found by its readings).
 */
async function carryOver(
  table: TableContext,
  ended: Session,
  reading: RegisterMeterReading,
): Promise<ReadingEffect[]> {
  const connector = await getConnector(table, ended.chargerId, ended.connectorId);
  if (!connector || connector.activeSessionId === ended.sessionId) return [];
  const holder = connector.activeSessionId ? await getSession(table, connector.activeSessionId) : undefined;
  if (connector.activeSessionId && !holder) return [];
  const nextId = await findNextSessionOnConnector(table, reading, ended.sessionId);
  const following = nextId && nextId !== holder?.sessionId ? await getSession(table, nextId) : holder;
  if (following && reading.at > following.startedAt) {
    // Taken after the next session began (clock skew): neither its start nor, while it holds, the connector.
    return [];
  }
  return preSessionEffects(table, connector, following, reading);
}
