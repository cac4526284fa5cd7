import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalCloud } from '../../src/index.js';
import { reports, startProbeCloud } from '../helpers/probe-cloud.js';

interface WindowReport {
  records: string[];
  window: { start: string; end: string };
  state: { count?: number };
  final: boolean;
}

const kinesisProbe = join(import.meta.dirname, '../fixtures/services/kinesis-probe');
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startProbeCloud({ services: [kinesisProbe] });
}, 90_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('Kinesis stream → Lambda in the local cloud', () => {
  it('declares the service’s stream and maps its function’s kinesis event to it', () => {
    expect(cloud.kinesis.has('kinesis-probe-local-events')).toBe(true);
    const fn = cloud.functions.find((candidate) => candidate.id === 'kinesis-probe.window');
    expect(fn?.kinesisStreams).toMatchObject([
      {
        streamName: 'kinesis-probe-local-events',
        tumblingWindowSeconds: 1,
        onFailureQueue: 'kinesis-probe-local-dead-letters',
      },
    ]);
  });

  it('delivers every record once and ends each window with one final invoke holding its count', async () => {
    for (const data of ['r1', 'r2', 'r3'])
      cloud.kinesis.putRecord('kinesis-probe-local-events', 'CP-1', data);
    // The windows last a second: every window that got records ends with its final invoke soon after.
    const seen = await cloud.waitFor(() => {
      const invocations = reports<WindowReport>(cloud, 'window');
      const windows = new Set(invocations.filter((r) => r.records.length > 0).map((r) => r.window.start));
      const finals = invocations.filter((r) => r.final);
      return windows.size > 0 && [...windows].every((start) => finals.some((f) => f.window.start === start))
        ? invocations
        : undefined;
    }, 20_000);
    expect(seen.flatMap((r) => r.records)).toEqual(['r1', 'r2', 'r3']);
    for (const final of seen.filter((r) => r.final)) {
      const inWindow = seen.filter((r) => r.window.start === final.window.start);
      expect(inWindow.filter((r) => r.final)).toHaveLength(1);
      // The final state counts what the window's earlier invocations (and the final one's records) held.
      expect((final.state.count ?? 0) + final.records.length).toBe(inWindow.flatMap((r) => r.records).length);
    }
  }, 30_000);
});
