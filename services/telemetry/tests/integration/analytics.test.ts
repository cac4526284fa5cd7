import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LocalArchive, openLocalArchive, runNamedQuery, runSql } from '../../src/analytics/engine.js';
import { repoRoot } from '../../src/analytics/local-archive-dir.js';
import { archived, archivedPresence, writeArchive } from '../helpers/archive.js';

// The named queries (DuckDB texts) over a small archive generated in the S3 layout, with duplicates as
// Firehose's at-least-once delivery makes them.

const S1 = '6f1c1a52-3d2e-4c4e-9f3e-2b7b1f0c9a01';
const v1Reading = (registerWh: number, messageId: string, extra: object = {}) => ({
  messageId,
  connectorId: 1,
  at: '2026-12-05T10:00:00.000Z',
  energy: { value: registerWh, unit: 'Wh' },
  context: 'Sample.Periodic',
  ...extra,
});
const v2Reading = (connectorId: number, kWh: string, timestamp: string) => ({
  messageId: `m-${connectorId}-${timestamp}`,
  connectorId,
  meterValue: [
    {
      timestamp,
      sampledValue: [
        { value: kWh, unit: 'kWh' },
        { value: '7000', measurand: 'Power.Active.Import', unit: 'W' },
      ],
    },
  ],
});
const duplicated = archived(
  'CP-A',
  'meter',
  '2026-12-05T11:10:00Z',
  v1Reading(1_500, 'a2', { sessionId: S1 }),
);

const messages = [
  archived('CP-A', 'meter', '2026-12-05T10:05:00Z', v1Reading(1_000, 'a1', { sessionId: S1 })),
  duplicated,
  { ...duplicated },
  archived(
    'CP-A',
    'meter',
    '2026-12-05T11:50:00Z',
    v1Reading(3, 'a3', { energy: { value: 3, unit: 'kWh' } }),
  ),
  archived('CP-A', 'meter', '2026-12-06T08:00:00Z', v1Reading(3_000, 'a4')),
  archived('CP-A', 'meter', '2026-12-06T09:00:00Z', v1Reading(3_400, 'a5')),
  archived('CP_B', 'meter', '2026-12-05T10:00:00Z', v2Reading(2, '10.0', '2026-12-05T10:00:00.000Z')),
  archived('CP_B', 'meter', '2026-12-05T10:30:00Z', v2Reading(2, '10.5', '2026-12-05T10:30:00.000Z')),
  // The main meter (connector 0) is the whole charger: not counted again.
  archived('CP_B', 'meter', '2026-12-05T10:30:00Z', v2Reading(0, '900', '2026-12-05T10:30:00.000Z')),
  // A reading that names only its transaction (StopTransaction's data): its connector is unknown, so it is not
  // compared with another connector's register (it once made CP_B's day 899.5 kWh).
  (() => {
    const { connectorId: _connectorId, ...transactionOnly } = v2Reading(
      2,
      '910.0',
      '2026-12-05T10:40:00.000Z',
    );
    return archived('CP_B', 'meter', '2026-12-05T10:40:00Z', { ...transactionOnly, transactionId: 7 });
  })(),
  archived('CP_B', 'meter', '2026-12-05T10:45:00Z', {
    ...(({ connectorId: _c, ...rest }) => rest)(v2Reading(1, '10.2', '2026-12-05T10:45:00.000Z')),
    transactionId: 8,
  }),
  archived('CP-A', 'auth/request', '2026-12-05T10:01:00Z', {
    requestId: 'r1',
    connectorId: 1,
    idTag: 'T',
    at: 'x',
  }),
  archived('CP-A', 'auth/request', '2026-12-05T10:01:01Z', {
    requestId: 'r1',
    connectorId: 1,
    idTag: 'T',
    at: 'x',
  }),
  archived('CP_B', 'transaction/start', '2026-12-05T10:20:00Z', {
    requestId: 'r2',
    connectorId: 2,
    meterStart: 1,
  }),
  archived('CP_B', 'transaction/start', '2026-12-05T11:20:00Z', {
    requestId: 'r3',
    connectorId: 2,
    meterStart: 2,
  }),
  archived('CP_B', 'status', '2026-12-05T12:00:00Z', {
    messageId: 's1',
    status: 'Faulted',
    errorCode: 'GroundFailure',
  }),
  archived('CP_B', 'status', '2026-12-05T12:00:02Z', {
    messageId: 's1',
    status: 'Faulted',
    errorCode: 'GroundFailure',
  }),
  archived('CP-A', 'status', '2026-12-05T12:00:00Z', {
    messageId: 's2',
    status: 'Faulted',
    errorCode: 'HighTemperature',
  }),
  archived('CP-A', 'status', '2026-12-05T12:30:00Z', {
    messageId: 's3',
    status: 'Available',
    errorCode: 'NoError',
  }),
  archivedPresence('CP-A', 'connected', '2026-12-05T10:00:00Z', 1),
  archivedPresence('CP-A', 'disconnected', '2026-12-05T11:00:00Z', 2),
  archivedPresence('CP-A', 'disconnected', '2026-12-05T11:00:00Z', 2),
  archivedPresence('CP-A', 'connected', '2026-12-05T11:30:00Z', 3),
];

let bucketDir: string;
let archive: LocalArchive;
const all = { from: '2026-12-01', to: '2026-12-31' };

beforeAll(async () => {
  bucketDir = mkdtempSync(join(tmpdir(), 'telemetry-archive-'));
  writeArchive(bucketDir, messages);
  archive = await openLocalArchive(bucketDir);
});
afterAll(() => {
  archive.close();
  rmSync(bucketDir, { recursive: true, force: true });
});

describe('named queries over the local archive', () => {
  it('energy-per-charger-day: each connector register rise per day, v1 (Wh, kWh) and v2, duplicates harmless', async () => {
    expect(await runNamedQuery(archive, 'energy-per-charger-day', all)).toEqual([
      { chargerId: 'CP-A', day: '2026-12-05', energy_wh: 2_000 },
      { chargerId: 'CP_B', day: '2026-12-05', energy_wh: 500 },
      { chargerId: 'CP-A', day: '2026-12-06', energy_wh: 400 },
    ]);
  });

  it('filters by day and by charger (an id with `_` matches itself only)', async () => {
    expect(
      await runNamedQuery(archive, 'energy-per-charger-day', { from: '2026-12-06', to: '2026-12-06' }),
    ).toEqual([{ chargerId: 'CP-A', day: '2026-12-06', energy_wh: 400 }]);
    expect(await runNamedQuery(archive, 'energy-per-charger-day', { ...all, chargerId: 'CP_B' })).toEqual([
      { chargerId: 'CP_B', day: '2026-12-05', energy_wh: 500 },
    ]);
    expect(await runNamedQuery(archive, 'energy-per-charger-day', { ...all, chargerId: 'CPxB' })).toEqual([]);
  });

  it('sessions-per-hour: v1 auth requests and v2 transaction starts, each requestId once', async () => {
    expect(await runNamedQuery(archive, 'sessions-per-hour', all)).toEqual([
      { day: '2026-12-05', hour: 10, sessions: 2 },
      { day: '2026-12-05', hour: 11, sessions: 1 },
    ]);
  });

  it('uptime-per-charger: connected time between lifecycle events, a duplicated event once', async () => {
    expect(await runNamedQuery(archive, 'uptime-per-charger', all)).toEqual([
      { chargerId: 'CP-A', connects: 2, disconnects: 1, connected_s: 3_600, observed_s: 5_400 },
    ]);
  });

  it('faults-by-error-code: status errors by code, NoError left out', async () => {
    expect(await runNamedQuery(archive, 'faults-by-error-code', all)).toEqual([
      { errorCode: 'GroundFailure', faults: 1, chargers: 1 },
      { errorCode: 'HighTemperature', faults: 1, chargers: 1 },
    ]);
  });

  it('session-messages: the messages naming the session, in receive order', async () => {
    const rows = await runNamedQuery(archive, 'session-messages', { ...all, session: S1 });
    expect(rows.map((row) => [row.kind, row.received, row.messageId])).toEqual([
      ['meter', '2026-12-05T10:05:00.000Z', 'a1'],
      ['meter', '2026-12-05T11:10:00.000Z', 'a2'],
      ['meter', '2026-12-05T11:10:00.000Z', 'a2'],
    ]);
    await expect(runNamedQuery(archive, 'session-messages', all)).rejects.toThrow(/--session/);
  });

  it('answers free SQL over the same view (every message kept, as received)', async () => {
    expect(
      await runSql(archive, 'SELECT kind, count(*) AS messages FROM archive GROUP BY kind ORDER BY kind'),
    ).toEqual([
      { kind: 'auth-request', messages: 2 },
      { kind: 'connected', messages: 2 },
      { kind: 'disconnected', messages: 2 },
      { kind: 'meter', messages: 11 },
      { kind: 'status', messages: 4 },
      { kind: 'transaction-start', messages: 2 },
    ]);
  });

  it('answers an empty archive with no rows', async () => {
    const empty = await openLocalArchive(join(bucketDir, 'nothing-here'));
    expect(await runNamedQuery(empty, 'energy-per-charger-day', all)).toEqual([]);
    empty.close();
  });
});

describe('npm run analytics', () => {
  it('prints a named query as CSV for a bucket directory', () => {
    const run = spawnSync(
      join(repoRoot, 'node_modules/.bin/tsx'),
      [
        'services/telemetry/src/analytics/cli.ts',
        'faults-by-error-code',
        '--bucket-dir',
        bucketDir,
        '--format',
        'csv',
        '--from',
        '2026-12-01',
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      'errorCode,faults,chargers',
      'GroundFailure,1,1',
      'HighTemperature,1,1',
    ]);
  });
});
