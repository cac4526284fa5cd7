import {
  applyReading,
  BadInputError,
  type Connector,
  isActiveSessionStatus,
  type MeterEvent,
  type MeterReading,
  meterReadingOf,
  type ReadingAnomaly,
  type ReadingApplication,
  type RegisterState,
  type Session,
  sessionTotalsOf,
  TransientError,
} from '@evcharge/domain';
import {
  commitReadingEffects,
  connectorRegisterEffect,
  getConnector,
  getMeterRequest,
  getSession,
  meterRequestAnswerEffect,
  type ReadingEffect,
  sessionMeterEffect,
  storeMeterReading,
  type TableContext,
} from '@evcharge/dynamo';

export interface IngestOutcome {
  stored: 'stored' | 'duplicate';
  /** The session the reading was linked to; absent when it stays on the connector's history. */
  sessionId?: string;
  applied: boolean;
  anomaly?: ReadingAnomaly;
  answeredRequestId?: string;
}

type Link = { session: Session; connector?: undefined } | { session?: undefined; connector: Connector };

/** What one reading does: the reading to store (write 1) and the effects of write 2, all from one read. */
interface ReadingPlan {
  link: Link;
  reading: MeterReading;
  application: ReadingApplication;
  effects: ReadingEffect[];
  answeredRequestId?: string;
}

/**
 * Keeps every reading exactly once and moves the totals it belongs to, in at most two writes:
 * (1) the reading + charger liveness, (2) its effects (session, connector, request answer) in one call.
 * A duplicate delivery stores nothing; its effects are planned against fresh state, so they are empty
 * unless an earlier delivery stopped between the two writes.
 */
export async function ingestReading(table: TableContext, event: MeterEvent): Promise<IngestOutcome> {
  const plan = await planReading(table, event);
  const stored = await storeMeterReading(table, plan.reading, event.receivedAt);
  const outcome: IngestOutcome = {
    stored,
    ...(plan.link.session ? { sessionId: plan.link.session.sessionId } : {}),
    applied: plan.application.changed,
    ...(plan.application.changed ? {} : { anomaly: plan.application.anomaly }),
  };
  if (await commitReadingEffects(table, plan.effects)) {
    return plan.answeredRequestId ? { ...outcome, answeredRequestId: plan.answeredRequestId } : outcome;
  }
  // The state moved between read and write (another reading, the time-out). Nothing was written; if the
  // reading still has something to do against fresh state, Lambda's retry does it (write 1 is then a no-op).
  const fresh = await planReading(table, event);
  if (fresh.effects.length > 0) throw new TransientError('a reading raced another write; retrying');
  return outcome;
}

async function planReading(table: TableContext, event: MeterEvent): Promise<ReadingPlan> {
  const link = await linkOf(table, event);
  const reading = meterReadingOf(event, link.session?.sessionId);
  const application = applyReading(registerStateOf(link), reading);
  const stored = application.changed ? reading : { ...reading, anomaly: application.anomaly };
  const plan: ReadingPlan = { link, reading: stored, application, effects: [] };

  if (!link.session) {
    if (application.changed) {
      plan.effects.push(connectorRegisterEffect(table.tableName, connectorUpdate(link.connector, reading)));
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
      }),
    );
  }
  if (!isActiveSessionStatus(session.status))
    plan.effects.push(...(await carryOver(table, session, reading)));

  const request = reading.requestId
    ? await getMeterRequest(table, session.sessionId, reading.requestId)
    : undefined;
  if (request?.status === 'pending') {
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

/** A reading names its session, or belongs to the connector's active session, or to no session at all. */
async function linkOf(table: TableContext, event: MeterEvent): Promise<Link> {
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
  return session ? { session } : { connector };
}

function registerStateOf(link: Link): RegisterState {
  if (link.session) {
    const { energyStartWh, energyStartAt, latestRegisterWh, lastReadingAt, powerW } = link.session;
    return { energyStartWh, energyStartAt, latestRegisterWh, lastReadingAt, powerW };
  }
  return { latestRegisterWh: link.connector.lastRegisterWh, lastReadingAt: link.connector.lastReadingAt };
}

function connectorUpdate(connector: Connector, reading: MeterReading, requireFree = false) {
  return {
    chargerId: connector.chargerId,
    connectorId: connector.connectorId,
    expected: { lastRegisterWh: connector.lastRegisterWh, lastReadingAt: connector.lastReadingAt },
    next: { lastRegisterWh: reading.registerWh, lastReadingAt: reading.at },
    requireFree,
  };
}

/**
 * A late reading of a session that has ended (a Transaction.End processed after the unplug) moves that
 * session's totals, and must not be billed again by the next session on the connector, which starts
 * from the connector's last register: carry the register over to the connector while it is free, or
 * raise the next session's start (taken from the stale register at its authorization).
 */
async function carryOver(
  table: TableContext,
  ended: Session,
  reading: MeterReading,
): Promise<ReadingEffect[]> {
  const connector = await getConnector(table, ended.chargerId, ended.connectorId);
  if (!connector || connector.activeSessionId === ended.sessionId) return [];
  if (!connector.activeSessionId) {
    const application = applyReading(registerStateOf({ connector }), reading);
    if (!application.changed) return [];
    return [connectorRegisterEffect(table.tableName, connectorUpdate(connector, reading, true))];
  }
  const following = await getSession(table, connector.activeSessionId);
  if (
    !following ||
    following.energyStartWh === undefined ||
    following.energyStartAt !== undefined || // its own first reading set the start: already right
    reading.registerWh <= following.energyStartWh ||
    reading.at > following.startedAt
  ) {
    return [];
  }
  const expected = registerStateOf({ session: following });
  const corrected: RegisterState = { ...expected, energyStartWh: reading.registerWh };
  return [
    sessionMeterEffect(table.tableName, {
      sessionId: following.sessionId,
      expected,
      next: corrected,
      totals: sessionTotalsOf(corrected, following),
    }),
  ];
}
