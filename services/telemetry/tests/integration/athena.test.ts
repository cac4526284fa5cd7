import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AthenaClient } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  athenaTargetOf,
  executionParameter,
  rowsOfPages,
  runAthenaQuery,
  startQueryInput,
} from '../../src/analytics/athena.js';
import { namedQuery, queryText } from '../../src/analytics/queries.js';

// `analytics --aws` without AWS: the real Athena client (its JSON 1.1 serializers and parsers) against a local
// endpoint that records each request and answers as Athena documents it. Not run against AWS itself.

interface Recorded {
  target: string;
  body: Record<string, unknown>;
}

let server: Server;
let endpoint: string;
const requests: Recorded[] = [];
let answers: Record<string, (body: Record<string, unknown>) => unknown> = {};

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      requests.push({ target, body });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answers[target]?.(body) ?? {}));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
});

const athena = () =>
  new AthenaClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
const noSleep = async () => undefined;

const columns = [
  { Name: 'chargerid', Label: 'chargerid', Type: 'varchar' },
  { Name: 'day', Label: 'day', Type: 'varchar' },
  { Name: 'energy_wh', Label: 'energy_wh', Type: 'bigint' },
];
const row = (...values: (string | undefined)[]) => ({
  Data: values.map((value) => (value === undefined ? {} : { VarCharValue: value })),
});

describe('analytics --aws (Athena)', () => {
  it('starts the named query with its Athena text and quoted parameters, polls, and reads every page', async () => {
    let polls = 0;
    answers = {
      StartQueryExecution: () => ({ QueryExecutionId: 'q-1' }),
      GetQueryExecution: () => ({
        QueryExecution: { QueryExecutionId: 'q-1', Status: { State: ++polls < 3 ? 'RUNNING' : 'SUCCEEDED' } },
      }),
      GetQueryResults: (body) =>
        body.NextToken === undefined
          ? {
              ResultSet: {
                ResultSetMetadata: { ColumnInfo: columns },
                Rows: [row('chargerid', 'day', 'energy_wh'), row("CP_1'x", '2026-12-01', '12500')],
              },
              NextToken: 'page-2',
            }
          : {
              ResultSet: {
                ResultSetMetadata: { ColumnInfo: columns },
                Rows: [row('CP-2', '2026-12-01', undefined)],
              },
            },
    };
    const filters = { from: '2026-12-01', to: '2026-12-06', chargerId: "CP_1'x" };
    const input = startQueryInput(
      queryText('energy-per-charger-day', 'athena'),
      namedQuery('energy-per-charger-day').parameters(filters),
      athenaTargetOf('prod'),
    );
    const rows = await runAthenaQuery(athena(), input, { sleep: noSleep });

    expect(rows).toEqual([
      { chargerid: "CP_1'x", day: '2026-12-01', energy_wh: 12_500 },
      { chargerid: 'CP-2', day: '2026-12-01', energy_wh: null },
    ]);
    expect(requests.map((request) => request.target)).toEqual([
      'StartQueryExecution',
      'GetQueryExecution',
      'GetQueryExecution',
      'GetQueryExecution',
      'GetQueryResults',
      'GetQueryResults',
    ]);
    expect(requests[0]?.body).toEqual({
      QueryString: queryText('energy-per-charger-day', 'athena'),
      WorkGroup: 'telemetry-prod',
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'ev_charging_prod_telemetry' },
      ExecutionParameters: ["'2026-12-01'", "'2026-12-06'", "'CP\\_1''x'"],
      // The SDK fills in an idempotency token.
      ClientRequestToken: expect.any(String),
    });
    expect(requests[1]?.body).toEqual({ QueryExecutionId: 'q-1' });
    expect(requests[5]?.body).toEqual({ QueryExecutionId: 'q-1', NextToken: 'page-2' });
  });

  it('uses the Athena text where the dialects differ, and the workgroup it is given', () => {
    const input = startQueryInput(
      queryText('session-messages', 'athena'),
      namedQuery('session-messages').parameters({ from: '2026-12-01', to: '2026-12-01', session: 's-1' }),
      athenaTargetOf('dev', 'adhoc'),
    );
    expect(input.QueryString).toContain('to_iso8601');
    expect(input.WorkGroup).toBe('adhoc');
    expect(input.ExecutionParameters).toEqual(["'2026-12-01'", "'2026-12-01'", "'%'", "'s-1'", "'s-1'"]);
    expect(startQueryInput('SELECT 1', [], athenaTargetOf('dev'))).not.toHaveProperty('ExecutionParameters');
    expect(executionParameter("it's")).toBe("'it''s'");
  });

  it('says why a query failed, with its id', async () => {
    answers = {
      StartQueryExecution: () => ({ QueryExecutionId: 'q-2' }),
      GetQueryExecution: () => ({
        QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: archive' } },
      }),
    };
    await expect(
      runAthenaQuery(athena(), startQueryInput('SELECT 1', [], athenaTargetOf('dev')), { sleep: noSleep }),
    ).rejects.toThrow('Athena query q-2 FAILED: TABLE_NOT_FOUND: archive');
  });

  it('maps types and keeps a first data row that is not the header', () => {
    const page = {
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'n', Type: 'double' },
            { Name: 'ok', Type: 'boolean' },
          ],
        },
        Rows: [row('1.5', 'true'), row('2', 'false')],
      },
    };
    expect(rowsOfPages([page])).toEqual([
      { n: 1.5, ok: true },
      { n: 2, ok: false },
    ]);
    expect(rowsOfPages([])).toEqual([]);
  });
});
