import { useEffect, useState } from 'preact/hooks';
import { poll } from './api';
import type { AuditEntry } from './types';

export function Audit() {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [error, setError] = useState('');
  useEffect(
    () =>
      poll<{ entries: AuditEntry[] }>(
        'audit',
        3000,
        (data) => setEntries(data.entries),
        (failure) => setError(failure.message),
      ),
    [],
  );
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      {error && <p role="alert">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">On</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.auditId}>
                <td>{new Date(entry.at).toLocaleString()}</td>
                <td>{entry.operatorId}</td>
                <td>{entry.action}</td>
                <td>{entry.target}</td>
                <td>
                  <span class={`badge ${entry.outcome}`}>{entry.outcome}</span>
                </td>
                <td>{entry.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
