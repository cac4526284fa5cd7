import { IoTClient } from '@aws-sdk/client-iot';
import type { TableContext } from '@evcharge/dynamo';
import type { CliDeps, TableTarget } from '../../src/cli/deps.js';

export interface CliHarness {
  deps: CliDeps;
  out: string[];
  err: string[];
  targets: TableTarget[];
}

/** CLI deps over a test table; any attempt to reach AWS IoT fails the test unless a mock is passed. */
export function cliHarness(table: TableContext, overrides: Partial<CliDeps> = {}): CliHarness {
  const out: string[] = [];
  const err: string[] = [];
  const targets: TableTarget[] = [];
  return {
    out,
    err,
    targets,
    deps: {
      io: { out: (line) => out.push(line), err: (line) => err.push(line) },
      env: {},
      now: () => new Date('2026-11-25T07:00:00.000Z'),
      openTable: (target) => {
        targets.push(target);
        return { ...table, close: () => undefined };
      },
      openIot: () => {
        throw new Error('this test must not reach AWS IoT');
      },
      openIotData: () => {
        throw new Error('this test must not publish to chargers');
      },
      ...overrides,
    },
  };
}

export function newIotClient(): IoTClient {
  return new IoTClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}
