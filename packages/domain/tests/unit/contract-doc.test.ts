import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import {
  audienceOfKind,
  authorizationStatuses,
  authStatuses,
  type CloudTopicKind,
  chargePointErrorCodes,
  chargePointStatuses,
  cloudToDeviceTopics,
  cloudTopicSchemas,
  commandActions,
  commandStatuses,
  connectedEventSchema,
  type DeviceTopicKind,
  deviceToCloudTopics,
  deviceTopicSchemas,
  diagnosticsStatuses,
  disconnectedEventSchema,
  energyUnits,
  firmwareStatuses,
  measurandLocations,
  measurands,
  meterContexts,
  meterRequestAcceptedSchema,
  meterTopicShapes,
  notificationBodySchema,
  notificationKinds,
  phases,
  plugEvents,
  presenceTopics,
  readingContexts,
  registrationStatuses,
  remoteRejectionReasons,
  remoteRequestAcceptedSchema,
  remoteStartRequestSchema,
  remoteStartStopStatuses,
  sessionStatuses,
  sessionStatusViewSchema,
  sessionSummarySchema,
  stopReasons,
  tagRejectionReasons,
  unavailableReasons,
  unitsOfMeasure,
  valueFormats,
} from '../../src/index.js';

// Keeps docs/contract.md from drifting away from the schemas: every topic, every field, every enum value.

const doc = readFileSync(join(import.meta.dirname, '../../../../docs/contract.md'), 'utf8');

interface Section {
  heading: string;
  /** The section's tables; each is a list of rows (header first), cells trimmed, first cell without backticks. */
  tables: string[][][];
}

function sections(markdown: string): Section[] {
  const found: Section[] = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (/^#{1,6} /.test(line)) found.push({ heading: line.replace(/^#+ /, ''), tables: [] });
    if (!line.startsWith('|') || found.length === 0) {
      inTable = false;
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (cells.every((cell) => /^-+$/.test(cell))) continue;
    cells[0] = (cells[0] ?? '').replace(/^`(.*)`$/, '$1');
    const tables = found.at(-1)!.tables;
    if (!inTable) tables.push([]);
    inTable = true;
    tables.at(-1)!.push(cells);
  }
  return found;
}

const docSections = sections(doc);

function sectionNamed(heading: string): Section {
  const section = docSections.find((candidate) => candidate.heading === heading);
  if (!section) throw new Error(`docs/contract.md has no section "${heading}"`);
  return section;
}

/** The rows (without header) of the section's table whose first column is `header`. */
function tableRows(heading: string, header: string): string[][] {
  const table = sectionNamed(heading).tables.find((rows) => rows[0]?.[0] === header);
  if (!table) throw new Error(`section "${heading}" has no table with a "${header}" column`);
  return table.slice(1);
}

function firstColumn(heading: string, header: string): string[] {
  return tableRows(heading, header).map((row) => row[0] ?? '');
}

const backticked = (text: string) => text.replace(/^`(.*)`$/, '$1');

/**
 * Field names of an object schema, nested strict objects as dotted paths (energy.value), the objects in an
 * array with `[]` (meterValue[].timestamp).
 */
function fieldsOf(schema: z.ZodMiniType, prefix = ''): string[] {
  let inner: z.ZodMiniType = schema;
  for (;;) {
    if (inner instanceof z.ZodMiniOptional || inner instanceof z.ZodMiniDefault)
      inner = inner._zod.def.innerType as z.ZodMiniType;
    else if (inner instanceof z.ZodMiniPipe) inner = inner._zod.def.in as z.ZodMiniType;
    else break;
  }
  if (inner instanceof z.ZodMiniArray)
    return fieldsOf(inner._zod.def.element as z.ZodMiniType, prefix.replace(/\.$/, '[].'));
  if (!(inner instanceof z.ZodMiniObject)) return [];
  return Object.entries(inner.shape as Record<string, z.ZodMiniType>).flatMap(([name, field]) => [
    `${prefix}${name}`,
    ...fieldsOf(field, `${prefix}${name}.`),
  ]);
}

/** The rows (without header) of every field table of a section: a topic with two shapes has a table for each. */
function fieldTables(heading: string): string[][][] {
  return sectionNamed(heading)
    .tables.filter((rows) => rows[0]?.[0] === 'field')
    .map((rows) => rows.slice(1));
}

/** Topics with more than one payload shape, each documented by its own field table, in this order. */
const shapesOfTopic: Record<string, readonly z.ZodMiniType[]> = {
  [deviceToCloudTopics.meter]: meterTopicShapes,
};

const topicSchemas: Record<string, z.ZodMiniType> = {
  ...Object.fromEntries(
    Object.entries(deviceTopicSchemas).map(([kind, schema]) => [
      deviceToCloudTopics[kind as DeviceTopicKind],
      schema,
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(cloudTopicSchemas).map(([kind, schema]) => [
      cloudToDeviceTopics[kind as CloudTopicKind],
      schema,
    ]),
  ),
  [presenceTopics.connected]: connectedEventSchema,
  [presenceTopics.disconnected]: disconnectedEventSchema,
};

describe('docs/contract.md', () => {
  it('documents exactly the topics the domain defines', () => {
    const documented = docSections
      .map((section) => /^topic `([^`]+)`$/.exec(section.heading)?.[1])
      .filter((topic): topic is string => topic !== undefined);
    const defined = [
      ...Object.values(deviceToCloudTopics),
      ...Object.values(cloudToDeviceTopics),
      ...Object.values(presenceTopics),
    ];
    expect([...documented].sort()).toEqual([...defined].sort());
    expect(Object.keys(topicSchemas).sort()).toEqual([...defined].sort());
  });

  it('lists the device topics in the overview tables', () => {
    expect(firstColumn('Device → cloud', 'topic').map(backticked).sort()).toEqual(
      Object.values(deviceToCloudTopics).sort(),
    );
    expect(firstColumn('Cloud → device', 'topic').map(backticked).sort()).toEqual(
      Object.values(cloudToDeviceTopics).sort(),
    );
  });

  describe.each(Object.entries(topicSchemas))('topic %s', (topic, schema) => {
    it('has a field table with exactly the schema’s fields', () => {
      const documented = fieldTables(`topic \`${topic}\``).map((rows) =>
        rows.map((cells) => cells[0] ?? '').sort(),
      );
      const shapes = shapesOfTopic[topic] ?? [schema];
      expect(documented).toEqual(shapes.map((shape) => fieldsOf(shape).sort()));
    });
  });

  it.each([
    ['response `session row` (`GET /me/sessions`)', sessionSummarySchema],
    ['response `session view` (`GET /sessions/{sessionId}`)', sessionStatusViewSchema],
    [
      'response `meter request accepted` (`POST /sessions/{sessionId}/meter-requests`, 202)',
      meterRequestAcceptedSchema,
    ],
    ['request `remote start` (`POST /me/sessions`)', remoteStartRequestSchema],
    [
      'response `remote request accepted` (`POST /me/sessions`, `POST /sessions/{sessionId}/stop`, 202)',
      remoteRequestAcceptedSchema,
    ],
    ['body `notification`', notificationBodySchema],
  ] as const)('%s has a field table with exactly the schema’s fields', (heading, schema) => {
    expect([...firstColumn(heading, 'field')].sort()).toEqual(fieldsOf(schema).sort());
  });

  it('lists every auth status with its tag-rejection reason', () => {
    expect(firstColumn('Auth statuses', 'status').sort()).toEqual([...authStatuses].sort());
    const rows = tableRows('Auth statuses', 'status');
    for (const [status, reason] of Object.entries(tagRejectionReasons)) {
      const row = rows.find((cells) => cells[0] === status);
      expect(row?.[2]).toBe(`\`${reason}\``);
    }
  });

  it('lists every command action', () => {
    expect(firstColumn('Command actions', 'action').map(backticked).sort()).toEqual(
      [...commandActions].sort(),
    );
  });

  it('lists every remote rejection reason', () => {
    expect(firstColumn('Remote rejection reasons', 'reason').map(backticked).sort()).toEqual(
      Object.values(remoteRejectionReasons).sort(),
    );
  });

  it('lists every user route', () => {
    const routes = firstColumn('User HTTP API', 'method and path').map(backticked);
    expect(routes).toEqual(expect.arrayContaining(['POST /me/sessions', 'POST /sessions/{sessionId}/stop']));
  });

  it('lists every unavailable reason', () => {
    expect(firstColumn('Unavailable reasons', 'reason').sort()).toEqual([...unavailableReasons].sort());
  });

  it('lists every notification kind with its audience', () => {
    const documented = Object.fromEntries(
      tableRows('Notification kinds', 'kind').map((cells) => [cells[0] ?? '', cells[1] ?? '']),
    );
    expect(documented).toEqual(
      Object.fromEntries(notificationKinds.map((kind) => [kind, audienceOfKind[kind]])),
    );
  });

  it('lists every session status', () => {
    expect(firstColumn('Session statuses', 'status').sort()).toEqual([...sessionStatuses].sort());
  });

  it.each([
    ['meter', 'context', meterContexts],
    ['meter', 'energy.unit', energyUnits],
    ['meter', 'meterValue[].sampledValue[].context', readingContexts],
    ['meter', 'meterValue[].sampledValue[].format', valueFormats],
    ['meter', 'meterValue[].sampledValue[].measurand', measurands],
    ['meter', 'meterValue[].sampledValue[].phase', phases],
    ['meter', 'meterValue[].sampledValue[].location', measurandLocations],
    ['meter', 'meterValue[].sampledValue[].unit', unitsOfMeasure],
    ['plug', 'event', plugEvents],
    ['status', 'status', chargePointStatuses],
    ['status', 'errorCode', chargePointErrorCodes],
    ['transaction/stop', 'reason', stopReasons],
    ['authorize/response', 'idTagInfo.status', authorizationStatuses],
    ['boot/response', 'status', registrationStatuses],
    ['firmware-status', 'status', firmwareStatuses],
    ['diagnostics-status', 'status', diagnosticsStatuses],
    ['remote/response', 'status', remoteStartStopStatuses],
    ['command/response', 'status', commandStatuses],
    ['command', 'action', commandActions],
  ] as const)('names every value of %s %s', (kind, field, values) => {
    const rows = fieldTables(`topic \`chargers/{chargerId}/${kind}\``).flat();
    const constraints = rows.find((cells) => cells[0] === field)?.[3] ?? '';
    for (const value of values) expect(constraints).toContain(`\`${value}\``);
  });

  it('states the size limit and the time format', () => {
    expect(doc).toContain('8 KB (8192 bytes');
    expect(doc).toContain('`2026-11-25T06:30:00.000Z`');
  });
});
