import { parseArgs } from 'node:util';

export interface StartArgs {
  chargers: number;
  timeFactor: number;
  durationS: number | undefined;
  ports: { mqtt: number; aws: number; http: number; dynamodb: number };
  services: string[] | undefined;
  badInputRate: number;
  offlineRate: number;
  seed: number;
  help: boolean;
}

export const usage = `pnpm start [options]

  --chargers N         simulated chargers (default 20; 0 = the local cloud alone)
  --time-factor F      simulated seconds per real second, for the fleet and the schedules (default 60)
  --duration S         stop by itself after S seconds (default: run until Ctrl-C)
  --services a,b       only these services (default: every services/* with a serverless.yml)
  --bad-input-rate P   share of deliberately bad simulator messages (default 0.02)
  --offline-rate P     chance a charger drops offline before a cycle (default 0.1)
  --seed N             simulator seed (default 1)
  --mqtt-port N        default 1883   (env LOCAL_CLOUD_MQTT_PORT)
  --aws-port N         default 4566   (env LOCAL_CLOUD_AWS_PORT)
  --http-port N        default 3000   (env LOCAL_CLOUD_HTTP_PORT)
  --dynamodb-port N    default 8000   (env LOCAL_CLOUD_DYNAMODB_PORT)
`;

export function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv): StartArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      chargers: { type: 'string' },
      'time-factor': { type: 'string' },
      duration: { type: 'string' },
      services: { type: 'string' },
      'bad-input-rate': { type: 'string' },
      'offline-rate': { type: 'string' },
      seed: { type: 'string' },
      'mqtt-port': { type: 'string' },
      'aws-port': { type: 'string' },
      'http-port': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const number = (name: string, text: string | undefined, fallback: number, min = 0) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min)
      throw new RangeError(`--${name} must be a number ≥ ${min}, got '${text}'`);
    return value;
  };
  const port = (name: string, envName: string, fallback: number) => {
    const value = number(name, values[name as 'mqtt-port'] ?? env[envName], fallback);
    if (!Number.isInteger(value) || value > 65535) throw new RangeError(`--${name} must be a port number`);
    return value;
  };
  const chargers = number('chargers', values.chargers, 20);
  if (!Number.isInteger(chargers)) throw new RangeError('--chargers must be a whole number');
  return {
    chargers,
    timeFactor: number('time-factor', values['time-factor'], 60, Number.MIN_VALUE),
    durationS:
      values.duration === undefined ? undefined : number('duration', values.duration, 0, Number.MIN_VALUE),
    ports: {
      mqtt: port('mqtt-port', 'LOCAL_CLOUD_MQTT_PORT', 1883),
      aws: port('aws-port', 'LOCAL_CLOUD_AWS_PORT', 4566),
      http: port('http-port', 'LOCAL_CLOUD_HTTP_PORT', 3000),
      dynamodb: port('dynamodb-port', 'LOCAL_CLOUD_DYNAMODB_PORT', 8000),
    },
    services: values.services
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    badInputRate: number('bad-input-rate', values['bad-input-rate'], 0.02),
    offlineRate: number('offline-rate', values['offline-rate'], 0.1),
    seed: number('seed', values.seed, 1),
    help: values.help === true,
  };
}
