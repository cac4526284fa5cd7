import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, poll, postJson } from './api';
import { Chart } from './chart';
import { Confirm } from './confirm';
import { duration, kWh, money, time } from './format';
import type { SessionDetail, SessionRow } from './types';

function SessionChart({ sessionId, onClose }: { sessionId: string; onClose: () => void }) {
  const [detail, setDetail] = useState<SessionDetail | undefined>();
  const [error, setError] = useState('');
  useEffect(
    () =>
      poll<SessionDetail>(`sessions/${sessionId}`, 3000, setDetail, (failure) => setError(failure.message)),
    [sessionId],
  );
  const chart = useMemo(() => {
    const readings = detail?.readings ?? [];
    const start = readings.find((reading) => reading.registerWh !== undefined)?.registerWh ?? 0;
    return {
      x: readings.map((reading) => Date.parse(reading.at) / 1000),
      series: [
        {
          label: 'Energy (Wh)',
          color: '#1f5fbf',
          values: readings.map((reading) =>
            reading.registerWh === undefined ? null : reading.registerWh - start,
          ),
        },
        {
          label: 'Power (W)',
          color: '#b3541e',
          scale: 'y2' as const,
          values: readings.map((reading) => reading.powerW ?? null),
        },
      ],
    };
  }, [detail]);
  const session = detail?.session;
  return (
    <section class="panel" aria-labelledby="session-title">
      <header class="panel-header">
        <h2 id="session-title">Session {sessionId.slice(0, 8)}</h2>
        <button type="button" onClick={onClose} aria-label="Close session">
          ✕
        </button>
      </header>
      {error && <p role="alert">{error}</p>}
      {session && (
        <dl class="facts">
          <dt>Charger</dt>
          <dd>
            {session.chargerId} #{session.connectorId}
          </dd>
          <dt>Status</dt>
          <dd>{session.status}</dd>
          <dt>Energy</dt>
          <dd>{kWh(session.energyWh)}</dd>
          <dt>Duration</dt>
          <dd>{duration(session.durationS)}</dd>
          <dt>Cost</dt>
          <dd>{money(session.costMinor, session.currency)}</dd>
          <dt>Stop reason</dt>
          <dd>{session.stopReason ?? '—'}</dd>
        </dl>
      )}
      <Chart
        title={`Readings of session ${sessionId}: energy and power over time`}
        x={chart.x}
        series={chart.series}
        yLabel="Wh since start"
        y2Label="W"
      />
      <p class="hint" data-readings={detail?.readings.length ?? 0}>
        {detail?.readings.length ?? 0} readings
        {detail?.readings.at(-1) ? `, latest at ${time(detail.readings.at(-1)?.at)}` : ''}
      </p>
    </section>
  );
}

export function Sessions() {
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const [error, setError] = useState('');
  const [openId, setOpenId] = useState<string | undefined>();
  const [tagToBlock, setTagToBlock] = useState<string | undefined>();
  const [sessionToStop, setSessionToStop] = useState<SessionRow | undefined>();
  const [tagInput, setTagInput] = useState('');
  const [outcome, setOutcome] = useState('');
  useEffect(
    () =>
      poll<{ sessions: SessionRow[] }>(
        'sessions',
        3000,
        (data) => {
          setSessions(data.sessions);
          setError('');
        },
        (failure) => setError(failure.message),
      ),
    [],
  );
  const block = async (idTag: string) => {
    setTagToBlock(undefined);
    try {
      await postJson(`idtags/${encodeURIComponent(idTag)}/block`);
      setOutcome(`idTag ${idTag} blocked: it starts no new session`);
    } catch (failure) {
      setOutcome(
        `Blocking ${idTag} refused: ${failure instanceof ApiError ? `${failure.status} ${failure.message}` : String(failure)}`,
      );
    }
  };
  // The user's own remote stop (metering's route, under /ops/api): the charger's answer and the session's end
  // arrive as for the app, and the list shows the completed session on its next refresh.
  const stop = async (session: SessionRow) => {
    setSessionToStop(undefined);
    try {
      const { requestId } = await postJson<{ requestId: string }>(
        `sessions/${encodeURIComponent(session.sessionId)}/stop`,
      );
      setOutcome(
        `Remote stop sent to ${session.chargerId} (request ${requestId.slice(0, 8)}): the session ends when the charger stops it`,
      );
    } catch (failure) {
      setOutcome(
        `Stopping session ${session.sessionId.slice(0, 8)} refused: ${failure instanceof ApiError ? `${failure.status} ${failure.message}` : String(failure)}`,
      );
    }
  };
  return (
    <div class="split">
      <section aria-labelledby="sessions-title" class="grow">
        <h2 id="sessions-title">Sessions</h2>
        {error && <p role="alert">{error}</p>}
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            if (tagInput.trim()) setTagToBlock(tagInput.trim());
          }}
        >
          <label>
            idTag{' '}
            <input
              value={tagInput}
              onInput={(event) => setTagInput(event.currentTarget.value)}
              maxLength={20}
            />
          </label>
          <button type="submit">Block idTag…</button>
        </form>
        <p class="outcome" role="status" aria-live="polite">
          {outcome}
        </p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Charger</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Energy</th>
                <th scope="col">Cost</th>
                <th scope="col">Stop reason</th>
                <th scope="col">idTag</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.sessionId} class={session.active ? 'active' : ''}>
                  <td>
                    <button type="button" class="link" onClick={() => setOpenId(session.sessionId)}>
                      {session.sessionId.slice(0, 8)}
                    </button>
                  </td>
                  <td>
                    {session.chargerId} #{session.connectorId}
                  </td>
                  <td>{session.status}</td>
                  <td>{time(session.startedAt)}</td>
                  <td>{duration(session.durationS)}</td>
                  <td>{kWh(session.energyWh)}</td>
                  <td>{money(session.costMinor, session.currency)}</td>
                  <td>{session.stopReason ?? '—'}</td>
                  <td>
                    <button type="button" class="link" onClick={() => setTagToBlock(session.idTag)}>
                      {session.idTag}
                    </button>
                  </td>
                  <td>
                    {session.active && session.transactionId !== undefined ? (
                      <button type="button" onClick={() => setSessionToStop(session)}>
                        Stop…
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {openId && <SessionChart sessionId={openId} onClose={() => setOpenId(undefined)} />}
      {sessionToStop && (
        <Confirm
          title="Stop session"
          confirmLabel="Stop"
          onConfirm={() => void stop(sessionToStop)}
          onCancel={() => setSessionToStop(undefined)}
        >
          <p>
            Stop session {sessionToStop.sessionId.slice(0, 8)} on {sessionToStop.chargerId} #
            {sessionToStop.connectorId}? The charger is asked to end its transaction; its user is told.
          </p>
        </Confirm>
      )}
      {tagToBlock && (
        <Confirm
          title="Block idTag"
          confirmLabel="Block"
          onConfirm={() => void block(tagToBlock)}
          onCancel={() => setTagToBlock(undefined)}
        >
          <p>Block idTag {tagToBlock}? It authorizes no new session; running sessions continue.</p>
        </Confirm>
      )}
    </div>
  );
}
