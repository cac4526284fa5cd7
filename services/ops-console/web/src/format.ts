export const kWh = (wh: number) => `${(wh / 1000).toFixed(2)} kWh`;

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** Minor units → a price in the currency's usual digits (KRW and JPY have none). */
export function money(minor: number, currency: string): string {
  const digits = ['KRW', 'JPY'].includes(currency) ? 0 : 2;
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
}

export function ago(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

export const time = (iso: string | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '—');
