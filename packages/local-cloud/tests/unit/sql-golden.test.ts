import { describe, expect, it } from '@jest/globals';
import {
  evaluateStatement,
  parseSql,
  readsPayload,
  topicMatches,
  UnsupportedSqlError,
} from '../../src/sql/index.js';

// Golden cases written from the AWS IoT SQL reference (SELECT, FROM, WHERE, functions, data types, 2016-03-23).
const payload = {
  color: 'red',
  temperature: 50,
  a: { b: { c: 1 } },
  arr: [1, 2, { x: 'y' }],
  nullField: null,
  flag: true,
  numericString: '10',
  value: 7,
};
const message = {
  topic: 'chargers/CP-1/heartbeat',
  clientId: 'CP-1',
  principal: 'cert-123',
  receivedAt: 1_700_000_000_000,
};

type Golden = [sql: string, expected: Record<string, unknown> | undefined];
const from = "FROM 'chargers/+/heartbeat'";

const goldenCases: Golden[] = [
  // SELECT list
  [`SELECT * ${from}`, payload],
  [`SELECT color ${from}`, { color: 'red' }],
  [`SELECT color AS colour ${from}`, { colour: 'red' }],
  // the reference's multi-item example
  [`SELECT color as my_color, temperature as fahrenheit ${from}`, { my_color: 'red', fahrenheit: 50 }],
  [`SELECT a.b.c ${from}`, { c: 1 }],
  [`SELECT a.b ${from}`, { b: { c: 1 } }],
  [`SELECT arr[2].x AS x ${from}`, { x: 'y' }],
  [`SELECT arr[0] AS first ${from}`, { first: 1 }],
  // 2016-03-23: a missing field is Undefined and left out; null is a value
  [`SELECT missing ${from}`, {}],
  [`SELECT color.missing AS m, color ${from}`, { color: 'red' }],
  [`SELECT arr[9] AS none ${from}`, {}],
  [`SELECT nullField ${from}`, { nullField: null }],
  [`SELECT NULL AS n ${from}`, { n: null }],
  // functions
  [`SELECT topic() AS t ${from}`, { t: 'chargers/CP-1/heartbeat' }],
  [
    `SELECT topic(1) AS first, topic(2) AS second, topic(3) AS third ${from}`,
    { first: 'chargers', second: 'CP-1', third: 'heartbeat' },
  ],
  [`SELECT topic(4) AS beyond ${from}`, {}],
  [
    `SELECT clientid() AS c, principal() AS p, timestamp() AS ts ${from}`,
    { c: 'CP-1', p: 'cert-123', ts: 1_700_000_000_000 },
  ],
  [
    `SELECT *, topic(2) AS chargerId, clientid() AS clientId, timestamp() AS receivedAt ${from}`,
    { ...payload, chargerId: 'CP-1', clientId: 'CP-1', receivedAt: 1_700_000_000_000 },
  ],
  // an alias overrides a payload field of the same name
  [`SELECT *, 'blue' AS color ${from}`, { ...payload, color: 'blue' }],
  // arithmetic
  [
    `SELECT temperature + 1 AS t, temperature * 2 AS d, temperature % 7 AS m, -temperature AS neg ${from}`,
    { t: 51, d: 100, m: 1, neg: -50 },
  ],
  [`SELECT temperature / 0 AS x ${from}`, {}],
  // WHERE
  [`SELECT color ${from} WHERE temperature > 40`, { color: 'red' }],
  [`SELECT color ${from} WHERE temperature > 60`, undefined],
  [`SELECT color ${from} WHERE temperature >= 50 AND color = 'red'`, { color: 'red' }],
  [`SELECT color ${from} WHERE color = 'blue' OR flag = true`, { color: 'red' }],
  [`SELECT color ${from} WHERE NOT (color = 'red')`, undefined],
  [`SELECT color ${from} WHERE color <> 'red'`, undefined],
  [`SELECT color ${from} WHERE color != 'blue'`, { color: 'red' }],
  [`SELECT color ${from} WHERE temperature < 100 AND (color = 'blue' OR a.b.c = 1)`, { color: 'red' }],
  // AND binds tighter than OR
  [`SELECT color ${from} WHERE color = 'red' AND NOT flag OR temperature < 100`, { color: 'red' }],
  [`SELECT color ${from} WHERE color = 'blue' AND (flag OR temperature < 100)`, undefined],
  // Undefined in WHERE never matches, whatever the operator
  [`SELECT color ${from} WHERE missing = 1`, undefined],
  [`SELECT color ${from} WHERE missing <> 1`, undefined],
  [`SELECT color ${from} WHERE NOT missing`, undefined],
  // a string that converts to a number compares as a number
  [`SELECT color ${from} WHERE numericString > 5`, { color: 'red' }],
  // "true"/"false" strings act as Booleans in AND/OR/NOT
  [`SELECT color ${from} WHERE 'true' AND flag`, { color: 'red' }],
  // WHERE runs before SELECT: it cannot see SELECT aliases
  [`SELECT temperature AS t ${from} WHERE t > 10`, undefined],
  // a field may be named like a SQL word the engine does not treat as a keyword
  [`SELECT value AS v ${from} WHERE value > 5`, { v: 7 }],
  // keywords are case-insensitive
  [`select color as c ${from} where temperature > 1 and not false`, { c: 'red' }],
];

describe('IoT SQL golden cases (2016-03-23)', () => {
  it.each(goldenCases)('%s', (sql, expected) => {
    expect(evaluateStatement(parseSql(sql), payload, message)).toEqual(expected);
  });

  it('newuuid() gives a fresh v4 UUID per evaluation', () => {
    const statement = parseSql(`SELECT newuuid() AS id ${from}`);
    const first = evaluateStatement(statement, payload, message)?.id;
    const second = evaluateStatement(statement, payload, message)?.id;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toEqual(first);
  });

  it('SELECT * of a payload that is not a JSON object is an evaluation error', () => {
    expect(() => evaluateStatement(parseSql(`SELECT * ${from}`), 'plain text', message)).toThrow(
      /JSON object/,
    );
  });

  it('knows which statements read the payload', () => {
    expect(readsPayload(parseSql(`SELECT * ${from}`))).toBe(true);
    expect(readsPayload(parseSql(`SELECT topic() AS t ${from} WHERE temperature > 1`))).toBe(true);
    expect(readsPayload(parseSql(`SELECT topic(2) AS t, clientid() AS c ${from}`))).toBe(false);
  });
});

describe('unsupported constructs fail with their name', () => {
  const unsupported: [sql: string, construct: RegExp][] = [
    [`SELECT CASE color WHEN 'red' THEN 1 END AS x ${from}`, /CASE/],
    [`SELECT color ${from} WHERE color IN ('red')`, /IN/],
    [`SELECT color ${from} WHERE color LIKE 'r%'`, /LIKE/],
    [`SELECT color ${from} WHERE color IS NULL`, /IS/],
    [`SELECT lower(color) AS c ${from}`, /function lower\(\)/],
    [`SELECT get(arr, 1) AS c ${from}`, /function get\(\)/],
    [`SELECT (SELECT color ${from}) AS c ${from}`, /nested SELECT/],
    [`SELECT a.* ${from}`, /wildcard path/],
    ['SELECT * FROM chargers', /quoted topic filter/],
    [`SELECT \`color\` ${from}`, /backquoted/],
    [`SELECT topic(1, 2) AS t ${from}`, /topic\(\) with 2 argument/],
    [`SELECT color ${from} ORDER BY color`, /ORDER/],
  ];
  it.each(unsupported)('%s', (sql, construct) => {
    expect(() => parseSql(sql)).toThrow(UnsupportedSqlError);
    expect(() => parseSql(sql)).toThrow(construct);
  });
});

describe('topic filters', () => {
  const cases: [filter: string, topic: string, matches: boolean][] = [
    ['chargers/+/heartbeat', 'chargers/CP-1/heartbeat', true],
    ['chargers/+/heartbeat', 'chargers/CP-1/plug', false],
    ['chargers/+/heartbeat', 'chargers/CP-1/heartbeat/extra', false],
    ['chargers/#', 'chargers/CP-1/meter/request', true],
    ['chargers/#', 'chargers', true],
    ['chargers/+/auth/request', 'chargers/CP-1/auth/request', true],
    ['$aws/events/presence/+/+', '$aws/events/presence/connected/CP-1', true],
    ['#', '$aws/events/presence/connected/CP-1', false],
    ['+/+/heartbeat', 'chargers/CP-1/heartbeat', true],
  ];
  it.each(cases)('%s vs %s → %s', (filter, topic, matches) => {
    expect(topicMatches(filter, topic)).toBe(matches);
  });
});
