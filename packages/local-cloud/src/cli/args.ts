import { parseArgs } from 'node:util';

export interface StartArgs {
  /** All simulated chargers: v1 + v2 (+ OCPP, once the gateway exists). */
  chargers: number;
  /** Chargers on the v1 MQTT topics. */
  v1: number;
  /** Chargers on the v2 (OCPP 1.6 shaped) MQTT topics. */
  v2: number;
  timeFactor: number;
  durationS: number | undefined;
  ports: { mqtt: number; aws: number; http: number; dynamodb: number; ocpp: number };
  services: string[] | undefined;
  badInputRate: number;
  offlineRate: number;
  faultRate: number;
  seed: number;
  /** Keep the cloud's data here across restarts; in memory when absent. */
  dataDir: string | undefined;
  /** Empty `dataDir` first. */
  reset: boolean;
  help: boolean;
}

export const usage = `npm start -- [options]

  --chargers N         simulated chargers, half v1 and half v2 (default 20; 0 = the local cloud alone)
  --v1 N               chargers on the v1 MQTT topics (default 10; with --v2, instead of --chargers)
  --v2 N               chargers on the v2 (OCPP 1.6 shaped) MQTT topics (default 10)
  --ocpp N             chargers speaking OCPP 1.6J through the site gateway: not available until the
                       gateway lands (only 0 is accepted)
  --fault-rate P       chance a v2 connector faults (then recovers) instead of a cycle (default 0.05)
  --time-factor F      simulated seconds per real second, for the fleet and the schedules (default 60)
  --duration S         stop by itself after S seconds (default: run until Ctrl-C)
  --services a,b       only these services (default: every services/* with a serverless.yml)
  --bad-input-rate P   share of deliberately bad simulator messages (default 0.02)
  --offline-rate P     chance a charger drops offline before a cycle (default 0.1)
  --seed N             simulator seed (default 1)
  --data-dir DIR       keep chargers, idTags, sessions, dead letters, notifications and queues in DIR across
                       restarts (default: in memory, gone at stop)   (env LOCAL_CLOUD_DATA_DIR)
  --reset              empty the --data-dir first
  --mqtt-port N        default 1883   (env LOCAL_CLOUD_MQTT_PORT)
  --aws-port N         default 4566   (env LOCAL_CLOUD_AWS_PORT)
  --http-port N        default 3000   (env LOCAL_CLOUD_HTTP_PORT)
  --dynamodb-port N    default 8000   (env LOCAL_CLOUD_DYNAMODB_PORT)
  --ocpp-port N        the OCPP 1.6J gateway, ws://127.0.0.1:N/ocpp/{chargerId}; default 8180   (env LOCAL_CLOUD_OCPP_PORT)
`;

export function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv): StartArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      chargers: { type: 'string' },
      v1: { type: 'string' },
      v2: { type: 'string' },
      ocpp: { type: 'string' },
      'fault-rate': { type: 'string' },
      'time-factor': { type: 'string' },
      duration: { type: 'string' },
      services: { type: 'string' },
      'bad-input-rate': { type: 'string' },
      'offline-rate': { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      reset: { type: 'boolean' },
      'mqtt-port': { type: 'string' },
      'aws-port': { type: 'string' },
      'http-port': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'ocpp-port': { type: 'string' },
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
  if (values.reset && !(values['data-dir'] ?? env.LOCAL_CLOUD_DATA_DIR))
    throw new RangeError('--reset empties the --data-dir: give one');
  const count = (name: 'chargers' | 'v1' | 'v2' | 'ocpp', fallback: number) => {
    const value = number(name, values[name], fallback);
    if (!Number.isInteger(value)) throw new RangeError(`--${name} must be a whole number`);
    return value;
  };
  const total = count('chargers', 20);
  if (values.chargers !== undefined && (values.v1 !== undefined || values.v2 !== undefined))
    throw new RangeError('--chargers splits the fleet between v1 and v2: give either it or --v1/--v2');
  // The odd one of an uneven split speaks v1.
  const v1 = count('v1', total - Math.floor(total / 2));
  const v2 = count('v2', Math.floor(total / 2));
  if (count('ocpp', 0) > 0)
    throw new RangeError('--ocpp needs the OCPP site gateway, which is not part of the local cloud yet');
  return {
    chargers: v1 + v2,
    v1,
    v2,
    timeFactor: number('time-factor', values['time-factor'], 60, Number.MIN_VALUE),
    durationS:
      values.duration === undefined ? undefined : number('duration', values.duration, 0, Number.MIN_VALUE),
    ports: {
      mqtt: port('mqtt-port', 'LOCAL_CLOUD_MQTT_PORT', 1883),
      aws: port('aws-port', 'LOCAL_CLOUD_AWS_PORT', 4566),
      http: port('http-port', 'LOCAL_CLOUD_HTTP_PORT', 3000),
      dynamodb: port('dynamodb-port', 'LOCAL_CLOUD_DYNAMODB_PORT', 8000),
      ocpp: port('ocpp-port', 'LOCAL_CLOUD_OCPP_PORT', 8180),
    },
    services: values.services
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    badInputRate: number('bad-input-rate', values['bad-input-rate'], 0.02),
    offlineRate: number('offline-rate', values['offline-rate'], 0.1),
    faultRate: number('fault-rate', values['fault-rate'], 0.05),
    seed: number('seed', values.seed, 1),
    dataDir: values['data-dir'] ?? env.LOCAL_CLOUD_DATA_DIR,
    reset: values.reset === true,
    help: values.help === true,
  };
}
