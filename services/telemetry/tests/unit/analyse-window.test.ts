import { createLogger } from '@evcharge/middleware';
import { describe, expect, it } from '@jest/globals';
import { type AnalyseDependencies, analyseBatch } from '../../src/analyse-window.js';
import { defaultThresholds, emptyWindowState, type PresenceObservation } from '../../src/detectors/index.js';
import {
  kinesisRecord,
  meterEventV1,
  minutes,
  presenceEvent,
  statusEvent,
  T0,
  windowEvent,
} from '../helpers/factories.js';

// The handler's core with its writes passed in: partial batch failure and the state handed back.

const logger = createLogger('telemetry-test');
const saved: Record<string, PresenceObservation[]> = {};
/** The handler's dependencies, with no alert, status or history stored unless a test says otherwise. */
const dependencies = (overrides: Partial<AnalyseDependencies> = {}): AnalyseDependencies => ({
  thresholds: defaultThresholds,
  logger,
  applyFinding: async () => ({ type: 'none', reason: 'nothing-open' }),
  storedConnectorStatus: async () => undefined,
  loadPresenceHistory: async (chargerId) => saved[chargerId] ?? [],
  savePresenceHistory: async (chargerId, events) => {
    saved[chargerId] = events;
  },
  chargerSite: async () => undefined,
  siteGridLimitW: async () => undefined,
  recordSitePower: async () => ({}),
  readSiteLoad: async () => ({}),
  saveChargerEnergyHour: async () => 0,
  raiseSiteEnergyHour: async () => undefined,
  ...overrides,
});
const stallRecords = (chargerId: string) => [
  kinesisRecord(statusEvent(chargerId, T0 - minutes(1), 'Charging')),
  kinesisRecord(meterEventV1(chargerId, T0, 5_000, 0)),
  kinesisRecord(meterEventV1(chargerId, T0 + minutes(10), 5_000, 0)),
];

describe('analyseBatch', () => {
  it('reports the batch from its first record as failed, with the state it was given, when an alert write fails', async () => {
    const records = stallRecords('CP-1');
    const given = emptyWindowState();
    const result = await analyseBatch(
      windowEvent(records, { state: given }),
      dependencies({
        applyFinding: async () => {
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        },
      }),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.kinesis.sequenceNumber }]);
    expect(result.state).toEqual(given);
  });

  it('writes each finding and hands back the grown state', async () => {
    const written: string[] = [];
    const result = await analyseBatch(
      windowEvent(stallRecords('CP-2')),
      dependencies({
        applyFinding: async (finding) => {
          written.push(`${finding.kind}:${finding.verdict}`);
          return { type: 'none', reason: 'nothing-open' };
        },
      }),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(written).toEqual(['stalled-charging:open', 'meter-anomaly:clear']);
    expect(Object.keys(result.state.readings)).toEqual(['CP-2#1']);
  });

  it('treats an event that is not from a Kinesis source (no records, no window) as an empty batch', async () => {
    const result = await analyseBatch({} as never, dependencies());
    expect(result).toMatchObject({ batchItemFailures: [], findings: 0, state: emptyWindowState() });
  });

  it('counts flapping over the hour across windows through the stored lifecycle history', async () => {
    const flaps = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => [
        presenceEvent('CP-F', T0 + minutes(from + index * 4), 'disconnected'),
        presenceEvent('CP-F', T0 + minutes(from + index * 4) + 5_000, 'connected'),
      ]).flat();
    const found: string[] = [];
    const recorded = dependencies({
      applyFinding: async (finding) => {
        found.push(`${finding.kind}:${finding.verdict}@${(finding.at - T0) / 60_000}`);
        return { type: 'none', reason: 'nothing-open' };
      },
    });
    // Four disconnections in the first window, three in the next: seven in 28 minutes, more than six an hour.
    await analyseBatch(windowEvent(flaps(0, 4).map((event) => kinesisRecord(event))), recorded);
    expect(saved['CP-F']).toHaveLength(8);
    await analyseBatch(
      windowEvent(
        flaps(16, 3).map((event) => kinesisRecord(event)),
        {
          window: {
            start: new Date(T0 + minutes(15)).toISOString(),
            end: new Date(T0 + minutes(30)).toISOString(),
          },
        },
      ),
      recorded,
    );
    expect(found.filter((finding) => finding.startsWith('flapping'))).toEqual([
      expect.stringMatching(/^flapping:clear@12/),
      expect.stringMatching(/^flapping:open@24/),
    ]);
    expect(saved['CP-F']).toHaveLength(14);
  });
});
