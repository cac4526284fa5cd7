import { describe, expect, it } from '@jest/globals';
import { parseStartArgs } from '../../src/cli/args.js';

describe('pnpm start arguments', () => {
  it('has the documented defaults', () => {
    expect(parseStartArgs([], {})).toMatchObject({
      chargers: 20,
      timeFactor: 60,
      durationS: undefined,
      ports: { mqtt: 1883, aws: 4566, http: 3000, dynamodb: 8000 },
      services: undefined,
    });
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
      ports: { mqtt: 0, aws: 14566, http: 3000, dynamodb: 8000 },
      services: ['heartbeat', 'plug-events'],
    });
  });

  it.each([
    [['--chargers', '-1'], /--chargers/],
    [['--chargers', '2.5'], /whole number/],
    [['--time-factor', '0'], /--time-factor/],
    [['--aws-port', '70000'], /port number/],
    [['--bogus'], /Unknown option/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseStartArgs(argv, {})).toThrow(message);
  });
});
