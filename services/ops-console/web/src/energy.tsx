import { useEffect, useMemo, useState } from 'preact/hooks';
import { poll } from './api';
import { Chart } from './chart';
import { kWh } from './format';
import type { EnergyHours } from './types';

const siteColors = ['#1f5fbf', '#b3541e', '#2e7d32', '#7b1fa2', '#00838f', '#6d4c41'];

export function Energy() {
  const [energy, setEnergy] = useState<EnergyHours | undefined>();
  const [error, setError] = useState('');
  useEffect(() => poll<EnergyHours>('energy', 10_000, setEnergy, (failure) => setError(failure.message)), []);
  const x = useMemo(() => (energy?.hours ?? []).map((hour) => Date.parse(hour) / 1000), [energy]);
  const fleetSeries = useMemo(
    () => [{ label: 'Fleet (Wh)', color: '#1f5fbf', values: energy?.fleetWh ?? [], bars: true }],
    [energy],
  );
  const siteSeries = useMemo(
    () =>
      Object.entries(energy?.sites ?? {}).map(([site, values], index) => ({
        label: site,
        color: siteColors[index % siteColors.length] ?? '#333',
        values,
      })),
    [energy],
  );
  const total = (energy?.fleetWh ?? []).reduce((sum, value) => sum + value, 0);
  return (
    <section aria-labelledby="energy-title">
      <h2 id="energy-title">Energy delivered per hour (last 24 h)</h2>
      {error && <p role="alert">{error}</p>}
      {!energy ? (
        <p>Loading…</p>
      ) : (
        <>
          <p data-total-wh={total}>
            {kWh(total)} delivered in the last 24 hours (from sessions, spread over their charging time).
          </p>
          <h3>Fleet</h3>
          <Chart title="Fleet energy per hour" x={x} series={fleetSeries} yLabel="Wh" />
          <h3>Per site</h3>
          <Chart title="Energy per hour by site" x={x} series={siteSeries} yLabel="Wh" />
        </>
      )}
    </section>
  );
}
