import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type InjectionRequest, parseInjectionSpec } from '@evcharge/simulator';
import { stateDir } from '../config/paths.js';

export interface StartArgs {
  /** All simulated chargers: v1 + v2 + OCPP. */
  chargers: number;
  /** Chargers on the v1 MQTT topics. */
  v1: number;
  /** Chargers on the v2 (OCPP 1.6 shaped) MQTT topics. */
  v2: number;
  /** Chargers speaking OCPP 1.6J through the local gateway. */
  ocpp: number;
  timeFactor: number;
  durationS: number | undefined;
  ports: { mqtt: number; aws: number; http: number; dynamodb: number; ocpp: number };
  services: string[] | undefined;
  badInputRate: number;
  offlineRate: number;
  faultRate: number;
  seed: number;
  /** Anomalies the fleet injects (`--inject`), with their ground truth. */
  inject: {
    requests: InjectionRequest[];
    seed: number;
    groundTruthPath: string;
    stalledS: number | undefined;
    flappingGapS: number | undefined;
  };
  /** MQTT chargers: shares of messages sent twice and of readings overtaken by the next message. */
  duplicateRate: number;
  reorderRate: number;
  /** Keep the cloud's data here across restarts; in memory when absent. */
  dataDir: string | undefined;
  /** Empty `dataDir` first. */
  reset: boolean;
  /** Deploy params for every service (`--param name=value`, repeatable), as `sls deploy` takes them. */
  params: Record<string, string>;
  help: boolean;
}

export const usage = `npm start -- [options]

  --chargers N         simulated chargers (default 20; 0 = the local cloud alone): v1 and v2 get a fifth
                       each, rounded down, and OCPP the rest (20 → 12 OCPP, 4 v2, 4 v1)
  --ocpp N             chargers speaking OCPP 1.6J through the local gateway (default 12)
  --v2 N               chargers on the v2 (OCPP 1.6 shaped) MQTT topics (default 4)
  --v1 N               chargers on the v1 MQTT topics (default 4); --ocpp/--v2/--v1 choose the mix
                       instead of --chargers, and one left out keeps its default
  --fault-rate P       chance a v2 connector faults (then recovers) instead of a cycle (default 0.05)
  --time-factor F      simulated seconds per real second, for the fleet and the schedules (default 60)
  --duration S         stop by itself after S seconds (default: run until Ctrl-C)
  --services a,b       only these services (default: every services/* with a serverless.yml)
  --bad-input-rate P   share of deliberately bad simulator messages (default 0.02)
  --offline-rate P     chance a charger drops offline before a cycle (default 0.1)
  --seed N             simulator seed (default 1)
  --inject SPEC        inject anomalies with ground truth: kind:N (N episodes on chargers the seed picks) or
                       kind=ID+ID (on those chargers; a site id for site-load), comma-separated; kinds
                       stalled, meter, flapping, site-load; e.g. --inject stalled:3,meter:2,flapping:2,site-load:1
  --inject-seed N      which chargers get the counted episodes (default --seed)
  --ground-truth FILE  the episodes as JSON lines, written as each ends (default <data-dir>/ground-truth.jsonl,
                       else .local-cloud/ground-truth.jsonl)
  --inject-stalled-s S device seconds a stall lasts (default 1500: a window plus the detector's 600)
  --inject-flapping-gap-s S  device seconds between a flapping charger's drops (default 30)
  --duplicate-rate P   share of MQTT chargers' messages published twice (default 0)
  --reorder-rate P     share of MQTT chargers' readings overtaken by their next message (default 0)
  --data-dir DIR       keep chargers, idTags, sessions, dead letters, notifications and queues in DIR across
                       restarts (default: in memory, gone at stop)   (env LOCAL_CLOUD_DATA_DIR)
  --reset              empty the --data-dir first
  --param NAME=VALUE   a deploy param for every service, as sls deploy --param takes it (repeatable), e.g.
                       --param analysisWindowSeconds=60 --param stalledAfterS=120
  --mqtt-port N        default 1883   (env LOCAL_CLOUD_MQTT_PORT)
  --aws-port N         default 4566   (env LOCAL_CLOUD_AWS_PORT)
  --http-port N        default 3000   (env LOCAL_CLOUD_HTTP_PORT)
  --dynamodb-port N    default 8000   (env LOCAL_CLOUD_DYNAMODB_PORT)
  --ocpp-port N        the OCPP 1.6J gateway, ws://127.0.0.1:N/ocpp/{chargerId}; default 8180   (env LOCAL_CLOUD_OCPP_PORT)
`;

const DEFAULT_CHARGERS = 20;

/** The default mix: most chargers speak OCPP 1.6J through the gateway; v1 and v2 a fifth each, rounded down. */
export function splitFleet(total: number): { ocpp: number; v2: number; v1: number } {
  const v1 = Math.floor(total / 5);
  const v2 = Math.floor(total / 5);
  return { ocpp: total - v1 - v2, v2, v1 };
}

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
      inject: { type: 'string' },
      'inject-seed': { type: 'string' },
      'ground-truth': { type: 'string' },
      'inject-stalled-s': { type: 'string' },
      'inject-flapping-gap-s': { type: 'string' },
      'duplicate-rate': { type: 'string' },
      'reorder-rate': { type: 'string' },
      'data-dir': { type: 'string' },
      reset: { type: 'boolean' },
      param: { type: 'string', multiple: true },
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
  const total = count('chargers', DEFAULT_CHARGERS);
  if (
    values.chargers !== undefined &&
    (values.v1 !== undefined || values.v2 !== undefined || values.ocpp !== undefined)
  )
    throw new RangeError('--chargers splits the fleet itself: give either it or --ocpp/--v2/--v1');
  const mix = splitFleet(total);
  const ocpp = count('ocpp', mix.ocpp);
  const v2 = count('v2', mix.v2);
  const v1 = count('v1', mix.v1);
  const seed = number('seed', values.seed, 1);
  const dataDir = values['data-dir'] ?? env.LOCAL_CLOUD_DATA_DIR;
  const rate = (name: 'duplicate-rate' | 'reorder-rate') => {
    const value = number(name, values[name], 0);
    if (value > 1) throw new RangeError(`--${name} must be between 0 and 1, got '${values[name]}'`);
    return value;
  };
  const optional = (name: 'inject-stalled-s' | 'inject-flapping-gap-s') =>
    values[name] === undefined ? undefined : number(name, values[name], 0, Number.MIN_VALUE);
  return {
    chargers: ocpp + v2 + v1,
    v1,
    v2,
    ocpp,
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
    seed,
    inject: {
      requests: parseInjectionSpec(values.inject ?? ''),
      seed: number('inject-seed', values['inject-seed'], seed),
      groundTruthPath: values['ground-truth'] ?? join(dataDir ?? stateDir, 'ground-truth.jsonl'),
      stalledS: optional('inject-stalled-s'),
      flappingGapS: optional('inject-flapping-gap-s'),
    },
    duplicateRate: rate('duplicate-rate'),
    reorderRate: rate('reorder-rate'),
    dataDir,
    reset: values.reset === true,
    params: Object.fromEntries(
      (values.param ?? []).map((pair) => {
        const match = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(pair);
        if (!match) throw new RangeError(`--param takes NAME=VALUE, got '${pair}'`);
        return [match[1], match[2]];
      }),
    ),
    help: values.help === true,
  };
}
