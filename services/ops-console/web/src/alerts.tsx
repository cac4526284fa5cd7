import { useState } from 'preact/hooks';
import { ApiError, postJson } from './api';
import { ago } from './format';
import type { AlertRow, DeadLetterSummary } from './types';

export function Alerts({
  alerts,
  deadLetters,
  now,
}: {
  alerts: AlertRow[];
  deadLetters: DeadLetterSummary[] | undefined;
  now: number;
}) {
  const [outcome, setOutcome] = useState('');
  const acknowledge = async (alert: AlertRow) => {
    try {
      await postJson(`alerts/${encodeURIComponent(alert.chargerId)}/${alert.kind}/acknowledge`);
      setOutcome(`Acknowledged ${alert.kind} on ${alert.chargerId}`);
    } catch (failure) {
      setOutcome(`Refused: ${failure instanceof ApiError ? failure.message : String(failure)}`);
    }
  };
  const open = alerts.filter((alert) => alert.state === 'open');
  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">
        Alerts <span class="count">{open.length} open</span>
      </h2>
      {deadLetters && deadLetters.length > 0 && (
        <p class="warning">{deadLetters.length} dead letter(s) waiting: see Dead letters.</p>
      )}
      <p class="outcome" role="status" aria-live="polite">
        {outcome}
      </p>
      {alerts.length === 0 ? (
        <p>No alerts.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Charger</th>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col">Last seen</th>
                <th scope="col">Detail</th>
                <th scope="col">Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((alert) => (
                <tr key={`${alert.chargerId}-${alert.kind}-${alert.detail}`}>
                  <td>{alert.chargerId}</td>
                  <td>{alert.kind}</td>
                  <td>
                    <span class={`badge ${alert.state}`}>{alert.state}</span>
                  </td>
                  <td>{ago(alert.lastSeenAt, now)}</td>
                  <td>{alert.detail}</td>
                  <td>
                    {alert.source === 'fleet' ? (
                      'shown while it lasts'
                    ) : alert.acknowledgedBy ? (
                      `by ${alert.acknowledgedBy}, ${ago(alert.acknowledgedAt, now)}`
                    ) : (
                      <button type="button" onClick={() => void acknowledge(alert)}>
                        Acknowledge
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
