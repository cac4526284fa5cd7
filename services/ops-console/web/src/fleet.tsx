import { useMemo, useState } from 'preact/hooks';
import { ChargerPanel } from './charger-panel';
import { ago } from './format';
import type { ChargerRow, FleetView } from './types';

const ROW_HEIGHT = 44;
const VIEWPORT_ROWS = 12;
const OVERSCAN = 6;

type StatusFilter = 'all' | 'online' | 'offline' | 'faulted' | 'pending';

function matches(charger: ChargerRow, search: string, status: StatusFilter): boolean {
  if (status === 'online' && charger.status !== 'online') return false;
  if (status === 'offline' && charger.status !== 'offline') return false;
  if (status === 'pending' && charger.registrationStatus !== 'Pending') return false;
  if (
    status === 'faulted' &&
    charger.ocppStatus !== 'Faulted' &&
    !charger.connectors.some((connector) => connector.status === 'Faulted')
  )
    return false;
  if (!search) return true;
  const haystack = [charger.chargerId, charger.site, charger.vendor, charger.model, charger.firmware]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return haystack.includes(search.toLowerCase());
}

/** Every charger, filtered and searched; only the rows in view are rendered (1,000+ chargers stay fast). */
export function Fleet({ fleet, now }: { fleet: FleetView | undefined; now: number }) {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [scrollTop, setScrollTop] = useState(0);
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const chargers = fleet?.chargers ?? [];
  const visible = useMemo(
    () => chargers.filter((charger) => matches(charger, search, status)),
    [chargers, search, status],
  );
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(visible.length, first + VIEWPORT_ROWS + 2 * OVERSCAN);
  const online = chargers.filter((charger) => charger.status === 'online').length;
  const selected = chargers.find((charger) => charger.chargerId === selectedId);

  return (
    <div class="split">
      <section class="fleet" aria-labelledby="fleet-title">
        <h2 id="fleet-title">
          Fleet{' '}
          <span class="count">
            {online} online · {chargers.length - online} offline · {chargers.length} chargers
          </span>
        </h2>
        <div class="filters">
          <label>
            Search{' '}
            <input
              type="search"
              value={search}
              placeholder="charger, site, vendor, model"
              onInput={(event) => setSearch(event.currentTarget.value)}
            />
          </label>
          <label>
            Show{' '}
            <select value={status} onChange={(event) => setStatus(event.currentTarget.value as StatusFilter)}>
              <option value="all">all</option>
              <option value="online">online</option>
              <option value="offline">offline</option>
              <option value="faulted">faulted</option>
              <option value="pending">pending commissioning</option>
            </select>
          </label>
        </div>
        <div
          class="viewport"
          style={{ height: `${(VIEWPORT_ROWS + 1) * ROW_HEIGHT}px` }}
          onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        >
          <table class="fleet-table" aria-rowcount={visible.length + 1}>
            <thead>
              <tr>
                <th scope="col">Charger</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign of life</th>
                <th scope="col" class="wide">
                  Vendor / model / firmware
                </th>
                <th scope="col" class="wide">
                  Site
                </th>
                <th scope="col">Connectors</th>
              </tr>
            </thead>
            <tbody>
              {first > 0 && <tr class="spacer" style={{ height: `${first * ROW_HEIGHT}px` }} />}
              {visible.slice(first, last).map((charger, offset) => (
                <tr
                  key={charger.chargerId}
                  aria-rowindex={first + offset + 2}
                  class={charger.chargerId === selectedId ? 'selected' : ''}
                  style={{ height: `${ROW_HEIGHT}px` }}
                  data-charger={charger.chargerId}
                >
                  <td>
                    <button type="button" class="link" onClick={() => setSelectedId(charger.chargerId)}>
                      {charger.chargerId}
                    </button>
                  </td>
                  <td>
                    <span class={`badge ${charger.status}`} data-status={charger.status}>
                      {charger.status}
                    </span>
                    {charger.registrationStatus === 'Pending' && <span class="badge pending">pending</span>}
                  </td>
                  <td>{ago(charger.lastSeenAt, now)}</td>
                  <td class="wide">
                    {[charger.vendor, charger.model, charger.firmware].filter(Boolean).join(' · ') || '—'}
                  </td>
                  <td class="wide">{charger.site ?? '—'}</td>
                  <td>
                    {charger.connectors.map((connector) => (
                      <span
                        key={connector.connectorId}
                        class={`badge ${connector.status}`}
                        title={`connector ${connector.connectorId}: ${connector.status}${connector.errorCode ? ` (${connector.errorCode})` : ''}`}
                      >
                        {connector.connectorId}:{connector.status}
                        {connector.errorCode ? ` ${connector.errorCode}` : ''}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
              {last < visible.length && (
                <tr class="spacer" style={{ height: `${(visible.length - last) * ROW_HEIGHT}px` }} />
              )}
            </tbody>
          </table>
        </div>
        <p class="hint">{visible.length} shown. Select a charger for its details and actions.</p>
      </section>
      {selected && <ChargerPanel charger={selected} now={now} onClose={() => setSelectedId(undefined)} />}
    </div>
  );
}
