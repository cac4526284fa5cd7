import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entities, itemOf } from '@evcharge/dynamo';
import { type EventPattern, matchesAnyPattern, printService } from '@evcharge/local-cloud';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBRecord } from 'aws-lambda';
import { notificationForChange } from '../../src/rules.js';
import { changeOfRecord } from '../../src/stream-record.js';
import { chargerDay, putItems } from '../helpers/charger-day.js';
import { chargerItem } from '../helpers/factories.js';
import { openTableStream, type TableStreamReader } from '../helpers/table-stream.js';

// The notify function's stream filter (serverless.yml filterPatterns, Lambda event filtering) against real
// stream records from DynamoDB Local: every change that notifies passes it, and the hot writes (a charger's
// heartbeat or re-armed deadline, a connector's register or status) never invoke the function.

const serviceDir = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
let filters: EventPattern[];
let table: TestTable;
let stream: TableStreamReader;

beforeAll(async () => {
  const printed = (await printService(serviceDir, 'local')) as unknown as {
    functions: Record<string, { events: { stream?: { filterPatterns?: EventPattern[] } }[] }>;
  };
  filters = Object.values(printed.functions)
    .flatMap((fn) => fn.events)
    .flatMap((event) => event.stream?.filterPatterns ?? []);
  table = await createTestTable('notify-filter');
  stream = await openTableStream(table.tableName);
}, 120_000);
afterAll(async () => {
  stream.close();
  await table.drop();
});

const connector = (chargerId: string, overrides: Record<string, unknown> = {}) =>
  itemOf(entities.connector, {
    chargerId,
    connectorId: 1,
    status: 'Available',
    plugged: false,
    faulted: false,
    ...overrides,
  });

interface Sorted {
  notifying: DynamoDBRecord[];
  passedQuiet: DynamoDBRecord[];
  filteredQuiet: DynamoDBRecord[];
  filteredNotifying: DynamoDBRecord[];
}

function sort(records: DynamoDBRecord[]): Sorted {
  const sorted: Sorted = { notifying: [], passedQuiet: [], filteredQuiet: [], filteredNotifying: [] };
  for (const record of records) {
    const notifies = notificationForChange(changeOfRecord(record)) !== undefined;
    const passes = matchesAnyPattern(filters, record);
    if (notifies) (passes ? sorted.notifying : sorted.filteredNotifying).push(record);
    else (passes ? sorted.passedQuiet : sorted.filteredQuiet).push(record);
  }
  return sorted;
}

const entityOfRecord = (record: DynamoDBRecord) => record.dynamodb?.NewImage?.entityType?.S;

describe('the notify stream filter', () => {
  it('is declared (five patterns at most: Lambda’s default quota)', () => {
    expect(filters.length).toBeGreaterThan(0);
    expect(filters.length).toBeLessThanOrEqual(5);
  });

  it('passes every change that notifies and none of the hot writes', async () => {
    const chargerId = 'CP-FILTER-1';
    const day = chargerDay(chargerId);
    const online = { status: 'online', statusChangedAt: '2026-11-25T06:59:00.000Z' };
    const hotWrites = [
      // Heartbeat refreshes and a re-armed deadline: the charger's status does not change.
      ...[1, 2, 3].map((minute) =>
        chargerItem(chargerId, { ...online, lastSeenAt: `2026-11-25T07:0${minute}:00.000Z` }),
      ),
      chargerItem(chargerId, { ...online, lastSeenAt: '2026-11-25T07:03:00.000Z', dueAt: 1 }),
      // A connector's register, status and plug while not faulted.
      connector(chargerId),
      connector(chargerId, { lastRegisterWh: 1_000, lastReadingAt: '2026-11-25T07:15:00.000Z' }),
      connector(chargerId, { lastRegisterWh: 1_500, status: 'Preparing', plugged: true }),
    ];
    const faultAndRecovery = [
      connector(chargerId, {
        faulted: true,
        status: 'Faulted',
        ocppStatus: 'Faulted',
        errorCode: 'GroundFailure',
        statusAt: '2026-11-25T07:20:00.000Z',
      }),
      connector(chargerId, {
        faulted: false,
        status: 'Available',
        ocppStatus: 'Available',
        errorCode: 'NoError',
        statusAt: '2026-11-25T07:25:00.000Z',
      }),
    ];
    const alert = {
      pk: `CHARGER#${chargerId}`,
      sk: 'ALERT#flapping',
      entityType: 'Alert',
      chargerId,
      kind: 'flapping',
      status: 'open',
      firstSeenAt: '2026-11-25T07:26:00.000Z',
      lastSeenAt: '2026-11-25T07:26:00.000Z',
      detail: '7 disconnects in an hour',
      episodes: 1,
    };
    // A finding opens, is seen again (silent), and clears.
    const alertEpisode = [
      alert,
      { ...alert, lastSeenAt: '2026-11-25T07:27:00.000Z' },
      { ...alert, status: 'cleared', clearedAt: '2026-11-25T07:50:00.000Z' },
    ];
    const items = [
      ...day.items.slice(0, 2),
      ...hotWrites,
      ...faultAndRecovery,
      ...alertEpisode,
      ...day.items.slice(2),
    ];
    await putItems(table, ...(items as Record<string, unknown>[]));
    const records = await stream.readNew({ atLeast: items.length, timeoutMs: 20_000 });
    expect(records).toHaveLength(items.length);

    const sorted = sort(records);
    expect(sorted.filteredNotifying).toEqual([]);
    expect(
      sorted.notifying.map((record) => notificationForChange(changeOfRecord(record))?.body.kind),
    ).toEqual([
      'charger.online',
      'connector.faulted',
      'connector.recovered',
      'alert.opened',
      'alert.cleared',
      ...day.notifiedKinds.slice(1),
    ]);
    // Every heartbeat, re-arm, register, status and plug write is filtered out.
    const hot = new Set(records.slice(2, 2 + hotWrites.length));
    expect(sorted.filteredQuiet.filter((record) => hot.has(record))).toHaveLength(hotWrites.length);
    // What passes without notifying: the open alert's refresh, and nothing else. A session's plug and readings,
    // an accepted auth attempt, a new or pending request, a heartbeat or a register never invoke notify.
    expect(sorted.passedQuiet.map(entityOfRecord)).toEqual(['Alert']);
    const attempts = records.filter((record) => entityOfRecord(record) === 'AuthAttempt');
    expect(attempts.map((record) => record.dynamodb?.NewImage?.status?.S)).toEqual(['Blocked', 'Accepted']);
    expect(sorted.filteredQuiet).toContain(attempts[1]);
    const passedQuietEntities = new Set(sorted.passedQuiet.map(entityOfRecord));
    const quietSessionWrites = records.filter(
      (record) =>
        entityOfRecord(record) === 'Session' && notificationForChange(changeOfRecord(record)) === undefined,
    );
    expect(quietSessionWrites.length).toBeGreaterThanOrEqual(3);
    expect(sorted.filteredQuiet).toEqual(expect.arrayContaining(quietSessionWrites));
    process.stdout.write(
      `stream filter: ${records.length} records, ${sorted.notifying.length} notifying passed, ` +
        `${sorted.passedQuiet.length} quiet passed (${[...passedQuietEntities].join(', ')}), ` +
        `${sorted.filteredQuiet.length} filtered\n`,
    );
  }, 60_000);
});
