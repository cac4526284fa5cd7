import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LOCAL_GATEWAY_ID } from '@evcharge/local-identity';
import { repoRoot, servicesRoot } from '../config/paths.js';

// The OCPP 1.6J site gateway (services/ocpp-gateway) beside the local cloud, as its own process the way it runs
// at a site: it talks MQTT to the local broker with the gateway credential, which the broker lets act only for
// the chargers assigned to it (`chargers register` assigns every local charger to LOCAL_GATEWAY_ID).

export interface OcppGatewayProcess {
  /** `ws://127.0.0.1:<port>/ocpp`: append `/<chargerId>`. */
  baseUrl: string;
  /** The gateway's process id (for its RSS, in the benchmark). */
  pid: number;
  stop: () => Promise<void>;
}

export interface StartOcppGatewayOptions {
  /** 0: a free port, read back from the gateway's ready line. */
  port: number;
  mqttUrl: string;
  tableName: string;
  /** The cloud's env (DynamoDB endpoint, region, credentials): the gateway reads the OCPP credential hashes. */
  env: Record<string, string>;
  /** The gateway's broker credential; the broker must know it (LocalCloudOptions.gateways). */
  password: string;
  /** Its broker username; default the local gateway's. */
  gatewayId?: string;
  /** More settings for the gateway process (README of services/ocpp-gateway), e.g. CLOUD_ANSWER_TIMEOUT_MS. */
  settings?: Record<string, string>;
  /** Where its JSON log lines go. */
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
}

/** A fresh secret for the local gateway's broker credential (it never leaves this process and its child). */
export function localGatewayCredential(): { gatewayId: string; password: string } {
  return { gatewayId: LOCAL_GATEWAY_ID, password: randomBytes(24).toString('hex') };
}

/** Starts the gateway and resolves once it listens; rejects (and stops it) if it exits or does not listen in time. */
export function startOcppGateway(options: StartOcppGatewayOptions): Promise<OcppGatewayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(servicesRoot, 'ocpp-gateway/src/main.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...options.env,
        OCPP_PORT: String(options.port),
        OCPP_HOST: '127.0.0.1',
        MQTT_URL: options.mqttUrl,
        TABLE_NAME: options.tableName,
        GATEWAY_MQTT_USERNAME: options.gatewayId ?? LOCAL_GATEWAY_ID,
        GATEWAY_MQTT_PASSWORD: options.password,
        ...options.settings,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const forceKill = setTimeout(() => child.kill('SIGKILL'), 3_000);
      child.once('exit', () => {
        clearTimeout(forceKill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop().then(() =>
        reject(
          new Error(`OCPP gateway did not listen within ${options.readyTimeoutMs ?? 30_000} ms:\n${output}`),
        ),
      );
    }, options.readyTimeoutMs ?? 30_000);
    const onLine = (chunk: Buffer) => {
      const text = chunk.toString();
      output = `${output}${text}`.slice(-4_000);
      for (const line of text.split('\n').filter(Boolean)) options.onLog?.(line);
      const ready = text.split('\n').find((line) => line.includes('ocpp gateway listening'));
      if (!ready) return;
      clearTimeout(timer);
      // The ready line carries the URL it listens on ("…/ocpp/{chargerId}"), so port 0 works.
      const url = /"url":"([^"]+)\/\{chargerId\}"/.exec(ready)?.[1];
      resolve({
        baseUrl: url ?? `ws://127.0.0.1:${options.port}/ocpp`,
        pid: child.pid ?? 0,
        stop: async () => {
          process.removeListener('exit', killOnExit);
          await stop();
        },
      });
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = `${output}${chunk.toString()}`.slice(-4_000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OCPP gateway exited with code ${code} before it listened:\n${output}`));
    });
  });
}
