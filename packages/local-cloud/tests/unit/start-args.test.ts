import { describe, expect, it } from '@jest/globals';
import { parseStartArgs } from '../../src/cli/args.js';

describe('pnpm start arguments', () => {
  it('has the documented defaults', () => {
    expect(parseStartArgs([], {})).toMatchObject({
      chargers: 20,
      v1: 10,
      v2: 10,
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
    [['--chargers', '7'], { chargers: 7, v1: 4, v2: 3 }],
    [['--v1', '0', '--v2', '5'], { chargers: 5, v1: 0, v2: 5 }],
    [['--v1', '3'], { chargers: 13, v1: 3, v2: 10 }],
    [['--chargers', '0'], { chargers: 0, v1: 0, v2: 0 }],
    [['--ocpp', '0', '--fault-rate', '0.5'], { chargers: 20, faultRate: 0.5 }],
  ])('splits the fleet between v1 and v2: %j', (argv, expected) => {
    expect(parseStartArgs(argv, {})).toMatchObject(expected);
  });

  it.each([
    [['--chargers', '4', '--v2', '2'], /either it or --v1\/--v2/],
    [['--ocpp', '2'], /OCPP site gateway/],
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
