import {
  applyReading,
  BadInputError,
  type Connector,
  type MeterEvent,
  type MeterReading,
  meterReadingOf,
  type ReadingAnomaly,
  type RegisterState,
  type Session,
  sessionTotalsOf,
  TransientError,
} from '@evcharge/domain';
import {
  answerMeterRequest,
  getConnector,
  getMeterRequest,
  getSession,
  type SessionMeterUpdate,
  storeMeterReading,
  type TableContext,
  updateConnectorRegister,
  updateSessionMeter,
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

/**
 * Keeps every reading exactly once and moves the totals it belongs to, in at most two writes:
 * (1) the reading + charger liveness, (2) the session (with the request's answer) or the connector.
 * A duplicate delivery stores nothing; it only re-applies against fresh state, which is a no-op unless
 * an earlier delivery failed between the two writes.
 */
export async function ingestReading(table: TableContext, event: MeterEvent): Promise<IngestOutcome> {
  const link = await linkOf(table, event);
  const reading = meterReadingOf(event, link.session?.sessionId);
  const application = applyReading(registerStateOf(link), reading);
  const stored = await storeMeterReading(
    table,
    application.changed ? reading : { ...reading, anomaly: application.anomaly },
    event.receivedAt,
  );
  const outcome: IngestOutcome = {
    stored,
    ...(link.session ? { sessionId: link.session.sessionId } : {}),
    applied: application.changed,
    ...(application.changed ? {} : { anomaly: application.anomaly }),
  };

  if (!link.session) {
    if (application.changed) await updateConnector(table, link.connector, reading);
    return outcome;
  }
  const session = link.session;
  const update: SessionMeterUpdate | undefined = application.changed
    ? {
        sessionId: session.sessionId,
        expected: registerStateOf(link),
        next: application.next,
        totals: sessionTotalsOf(application.next, session),
      }
    : undefined;

  const request = reading.requestId
    ? await getMeterRequest(table, session.sessionId, reading.requestId)
    : undefined;
  if (request?.status === 'pending') {
    const answer = await answerMeterRequest(
      table,
      {
        sessionId: session.sessionId,
        requestId: request.requestId,
        status: 'answered',
        resolvedAt: reading.receivedAt,
        energyWh: update?.totals.energyWh ?? session.energyWh,
        costMinor: update?.totals.costMinor ?? session.costMinor,
        powerW: update ? update.next.powerW : session.powerW,
        lastReadingAt: update ? update.next.lastReadingAt : session.lastReadingAt,
        currency: session.currency,
      },
      update,
    );
    // Lost a race (another reading, or the timeout): nothing committed; Lambda's retry decides afresh.
    if (answer === 'session-changed' || (answer === 'not-pending' && update)) {
      throw new TransientError(`meter request ${request.requestId} raced another write (${answer})`);
    }
    return answer === 'answered' ? { ...outcome, answeredRequestId: request.requestId } : outcome;
  }
  if (update && !(await updateSessionMeter(table, update))) await recheckSession(table, session, reading);
  return outcome;
}

/** The session changed between read and write. Fine if the reading no longer applies; else retry. */
async function recheckSession(table: TableContext, session: Session, reading: MeterReading): Promise<void> {
  const fresh = await getSession(table, session.sessionId);
  if (fresh && applyReading(registerStateOf({ session: fresh }), reading).changed) {
    throw new TransientError(`session ${session.sessionId} changed while applying a reading`);
  }
}

async function updateConnector(table: TableContext, connector: Connector, reading: MeterReading) {
  const updated = await updateConnectorRegister(table, {
    chargerId: connector.chargerId,
    connectorId: connector.connectorId,
    expected: { lastRegisterWh: connector.lastRegisterWh, lastReadingAt: connector.lastReadingAt },
    next: { lastRegisterWh: reading.registerWh, lastReadingAt: reading.at },
  });
  if (updated) return;
  const fresh = await getConnector(table, connector.chargerId, connector.connectorId);
  if (fresh && applyReading(registerStateOf({ connector: fresh }), reading).changed) {
    throw new TransientError(`connector ${connector.chargerId}/${connector.connectorId} changed meanwhile`);
  }
}
