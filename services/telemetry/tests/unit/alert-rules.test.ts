import { describe, expect, it } from '@jest/globals';
import { type Alert, alertChange } from '../../src/alert-rules.js';
import type { Finding } from '../../src/detectors/index.js';
import { minutes, T0 } from '../helpers/factories.js';

const finding = (verdict: 'open' | 'clear', minute: number): Finding => ({
  kind: 'stalled-charging',
  chargerId: 'CP-1',
  connectorId: 1,
  verdict,
  at: T0 + minutes(minute),
  detail: `${verdict} at ${minute}`,
});

/** Applies findings in order to an alert, as the store does. */
function applied(findings: Finding[]): { alert: Alert | undefined; changes: string[] } {
  let alert: Alert | undefined;
  const changes: string[] = [];
  for (const next of findings) {
    const change = alertChange(alert, next);
    changes.push(change.type);
    if (change.type !== 'none') alert = change.alert;
  }
  return { alert, changes };
}

describe('an alert through its life', () => {
  it('opens, moves its last seen time, clears, and reopens as a new episode', () => {
    const { alert, changes } = applied([
      finding('open', 0),
      finding('open', 5),
      finding('clear', 6),
      finding('open', 9),
    ]);
    expect(changes).toEqual(['open', 'refresh', 'clear', 'reopen']);
    expect(alert).toMatchObject({
      status: 'open',
      firstSeenAt: new Date(T0 + minutes(9)).toISOString(),
      lastSeenAt: new Date(T0 + minutes(9)).toISOString(),
      episodes: 2,
    });
    expect(alert).not.toHaveProperty('clearedAt');
  });

  it('changes nothing for a duplicate, a reordered older sighting, or a clear with nothing open', () => {
    expect(applied([finding('clear', 0)]).changes).toEqual(['none']);
    expect(applied([finding('open', 5), finding('open', 5), finding('open', 3)]).changes).toEqual([
      'open',
      'none',
      'none',
    ]);
    expect(
      applied([finding('open', 5), finding('clear', 8), finding('open', 7), finding('clear', 8)]).changes,
    ).toEqual(['open', 'clear', 'none', 'none']);
  });
});
