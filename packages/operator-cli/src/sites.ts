// Sites as an operator types them; the writes are `setChargerSite`/`setSiteGridLimit` in @evcharge/dynamo.

/** A grid limit as an operator types it: `150` or `150kW` (kW), `150000W` (W); at least 1 W. */
export function parseGridLimitW(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(kW|W)?$/i.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const watts = match[2]?.toLowerCase() === 'w' ? value : value * 1000;
  return Number.isFinite(watts) && watts >= 1 ? Math.round(watts) : undefined;
}
