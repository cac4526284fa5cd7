import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseStartArgs, splitFleet } from '../../src/cli/args.js';
import { stateDir } from '../../src/config/paths.js';

describe('pnpm start arguments', () => {
  it('has the documented defaults', () => {
    expect(parseStartArgs([], {})).toMatchObject({
      chargers: 20,
      ocpp: 12,
      v2: 4,
      v1: 4,
      faultRate: 0.05,
      timeFactor: 60,
      durationS: undefined,
      ports: { mqtt: 1883, aws: 4566, http: 3000, dynamodb: 8000, ocpp: 8180 },
      services: undefined,
    });
  });

  it('keeps data only when asked: --data-dir (or LOCAL_CLOUD_DATA_DIR), --reset only with one', () => {
    expect(parseStartArgs([], {})).toMatchObject({ dataDir: undefined, reset: false });
    expect(parseStartArgs(['--data-dir', '.data', '--reset'], {})).toMatchObject({
      dataDir: '.data',
      reset: true,
    });
    expect(parseStartArgs([], { LOCAL_CLOUD_DATA_DIR: '/var/ev' })).toMatchObject({ dataDir: '/var/ev' });
    expect(() => parseStartArgs(['--reset'], {})).toThrow(/--data-dir/);
  });

  it('reads flags, and ports from the environment when no flag is given', () => {
    const args = parseStartArgs(
      [
        '--chargers',
        '0',
        '--time-factor',
        '120',
        '--duration',
        '90',
        '--mqtt-port',
        '0',
        '--services',
        'heartbeat, plug-events',
      ],
      { LOCAL_CLOUD_AWS_PORT: '14566', LOCAL_CLOUD_MQTT_PORT: '11883' },
    );
    expect(args).toMatchObject({
      chargers: 0,
      timeFactor: 120,
      durationS: 90,
      ports: { mqtt: 0, aws: 14566, http: 3000, dynamodb: 8000, ocpp: 8180 },
      services: ['heartbeat', 'plug-events'],
    });
  });

  it.each([
    [['--chargers', '7'], { chargers: 7, ocpp: 5, v2: 1, v1: 1 }],
    [['--chargers', '1'], { chargers: 1, ocpp: 1, v2: 0, v1: 0 }],
    [['--chargers', '10'], { chargers: 10, ocpp: 6, v2: 2, v1: 2 }],
    [['--ocpp', '0', '--v1', '0', '--v2', '5'], { chargers: 5, ocpp: 0, v2: 5, v1: 0 }],
    [['--ocpp', '3', '--v1', '0', '--v2', '0'], { chargers: 3, ocpp: 3, v2: 0, v1: 0 }],
    [['--v1', '3'], { chargers: 19, ocpp: 12, v2: 4, v1: 3 }],
    [['--chargers', '0'], { chargers: 0, ocpp: 0, v2: 0, v1: 0 }],
    [['--ocpp', '0', '--fault-rate', '0.5'], { chargers: 8, ocpp: 0, faultRate: 0.5 }],
  ])('splits the fleet between OCPP, v2 and v1: %j', (argv, expected) => {
    expect(parseStartArgs(argv, {})).toMatchObject(expected);
  });

  it('gives v1 and v2 a fifth each, rounded down, and OCPP the rest', () => {
    for (let total = 0; total <= 50; total++) {
      const { ocpp, v2, v1 } = splitFleet(total);
      expect(ocpp + v2 + v1).toBe(total);
      expect([v1, v2]).toEqual([Math.floor(total / 5), Math.floor(total / 5)]);
      expect(ocpp).toBeGreaterThanOrEqual(Math.ceil(total * 0.6));
    }
  });

  it.each([
    [['--chargers', '4', '--v2', '2'], /either it or --ocpp\/--v2\/--v1/],
    [['--chargers', '4', '--ocpp', '2'], /either it or --ocpp\/--v2\/--v1/],
    [['--ocpp', '-2'], /--ocpp/],
    [['--v2', '1.5'], /--v2 must be a whole number/],
    [['--chargers', '-1'], /--chargers/],
    [['--chargers', '2.5'], /whole number/],
    [['--time-factor', '0'], /--time-factor/],
    [['--aws-port', '70000'], /port number/],
    [['--bogus'], /Unknown option/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseStartArgs(argv, {})).toThrow(message);
  });
});

describe('anomaly injection and delivery chaos flags', () => {
  it('injects nothing by default, and writes the ground truth under the data dir', () => {
    expect(parseStartArgs([], {})).toMatchObject({
      inject: { requests: [], seed: 1, groundTruthPath: join(stateDir, 'ground-truth.jsonl') },
      duplicateRate: 0,
      reorderRate: 0,
    });
    expect(parseStartArgs(['--data-dir', '/tmp/ev'], {}).inject.groundTruthPath).toBe(
      '/tmp/ev/ground-truth.jsonl',
    );
  });

  it('reads the episodes, their seed, the ground-truth file and the episode parameters', () => {
    const args = parseStartArgs(
      [
        '--inject',
        'stalled:3,meter:2,flapping=SIM-002+SIM-009',
        '--seed',
        '4',
        '--ground-truth',
        'truth.jsonl',
        '--inject-stalled-s',
        '700',
        '--inject-flapping-gap-s',
        '5',
        '--duplicate-rate',
        '0.1',
        '--reorder-rate',
        '0.2',
      ],
      {},
    );
    expect(args.inject).toEqual({
      requests: [
        { kind: 'stalled-charging', count: 3 },
        { kind: 'meter-anomaly', count: 2 },
        { kind: 'flapping', targets: ['SIM-002', 'SIM-009'] },
      ],
      seed: 4,
      groundTruthPath: 'truth.jsonl',
      stalledS: 700,
      flappingGapS: 5,
    });
    expect(args).toMatchObject({ duplicateRate: 0.1, reorderRate: 0.2 });
    expect(parseStartArgs(['--seed', '4', '--inject-seed', '9'], {}).inject.seed).toBe(9);
  });

  it.each([
    [['--inject', 'stalled'], /kind:N/],
    [['--inject', 'wobbly:2'], /kinds/],
    [['--duplicate-rate', '2'], /between 0 and 1/],
    [['--inject-stalled-s', '0'], /inject-stalled-s/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseStartArgs(argv, {})).toThrow(message);
  });

  it('takes deploy params for every service, as sls deploy --param does', () => {
    expect(parseStartArgs([], {}).params).toEqual({});
    expect(
      parseStartArgs(['--param', 'analysisWindowSeconds=60', '--param', 'stalledAfterS=1=2'], {}).params,
    ).toEqual({ analysisWindowSeconds: '60', stalledAfterS: '1=2' });
    expect(() => parseStartArgs(['--param', 'novalue'], {})).toThrow(/NAME=VALUE/);
  });
});
