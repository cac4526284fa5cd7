import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@evcharge/dynamo';
import type { BenchContext } from './context.js';
import { heartbeatEvent, lambdaContext } from './events.js';
import type { LoopBounds } from './raw-baselines.js';

// The pipeline's DynamoDB baseline: exactly the commands the real heartbeat handler sends, captured from it by
// a middleware on its client (so the baseline follows the handler when it changes), then replayed with the
// handlers' client settings and the pipeline's concurrency, without MQTT, rules or Lambda in between.

export interface CapturedCommand {
  /** The SDK command name, e.g. UpdateItemCommand. */
  name: string;
  /** The document-client input (TableName included) as the handler built it. */
  input: Record<string, unknown>;
}

type DocumentCommandClass = new (input: never) => Parameters<DynamoDBDocumentClient['send']>[0];

const replayable: Record<string, DocumentCommandClass> = {
  UpdateItemCommand: UpdateCommand as unknown as DocumentCommandClass,
  PutItemCommand: PutCommand as unknown as DocumentCommandClass,
  DeleteItemCommand: DeleteCommand as unknown as DocumentCommandClass,
  GetItemCommand: GetCommand as unknown as DocumentCommandClass,
  TransactWriteItemsCommand: TransactWriteCommand as unknown as DocumentCommandClass,
};

const writeNames = new Set([
  'UpdateItemCommand',
  'PutItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
]);

interface Capture {
  handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
  recording: CapturedCommand[] | undefined;
}

let capture: Promise<Capture> | undefined;

/** The real heartbeat handler in this process, with a capturing middleware on its module-scope client. */
function heartbeatCapture(context: BenchContext): Promise<Capture> {
  capture ??= (async () => {
    Object.assign(process.env, context.functionEnv);
    const [config, module] = await Promise.all([
      import('../../services/heartbeat/src/config.js'),
      import('../../services/heartbeat/src/handlers/heartbeat.js'),
    ]);
    const state: Capture = {
      handler: module.handler as unknown as Capture['handler'],
      recording: undefined,
    };
    config.table.client.middlewareStack.add(
      (next, handlerContext) => async (args) => {
        const recording = state.recording;
        const name = String(handlerContext.commandName ?? '');
        if (!recording) return next(args);
        recording.push({ name, input: structuredClone(args.input as Record<string, unknown>) });
        // Writes are recorded, not sent (the replay sends them); reads see the bench table. The answer is that
        // of a steady-state heartbeat (the charger was already online), so the handler takes its usual path.
        if (!writeNames.has(name)) return next(args);
        return { output: { $metadata: {}, Attributes: { status: 'online' } }, response: {} } as never;
      },
      { step: 'initialize', name: 'benchHeartbeatCapture', priority: 'high', override: true },
    );
    return state;
  })();
  return capture;
}

/**
 * The commands the heartbeat handler sends for `count` heartbeats spread over `chargerIds`, one second
 * apart per charger from `startMs`, with alternating firmware (so each is a real write, as in the pipeline).
 * Fails loudly if the handler sends something that cannot be replayed or nothing at all.
 */
export async function captureHeartbeatCommands(
  context: BenchContext,
  chargerIds: string[],
  count: number,
  startMs: number,
): Promise<CapturedCommand[]> {
  const state = await heartbeatCapture(context);
  const commands: CapturedCommand[] = [];
  state.recording = commands;
  try {
    for (let index = 0; index < count; index++) {
      const chargerId = chargerIds[index % chargerIds.length]!;
      const round = Math.floor(index / chargerIds.length);
      const receivedAt = startMs + round * 1_000;
      const result = await state.handler(
        heartbeatEvent(chargerId, receivedAt, `bench/${round % 2}`),
        lambdaContext('heartbeat.heartbeat'),
      );
      if ((result as { rejected?: boolean } | undefined)?.rejected)
        throw new Error(`the heartbeat handler refused the capture heartbeat: ${JSON.stringify(result)}`);
    }
  } finally {
    state.recording = undefined;
  }
  const unknown = commands.find((command) => !replayable[command.name]);
  if (unknown)
    throw new Error(`the heartbeat handler sent ${unknown.name}, which the replay cannot send yet`);
  if (commands.length === 0) throw new Error('the heartbeat handler sent no DynamoDB command');
  return commands;
}

/**
 * Sends each command once, in order, and returns the chargers (`chargerIds[i]` for `commands[i]`) whose command
 * was refused: their item is not yet in the state the handler's command expects.
 */
export async function refusedChargers(
  endpoint: string,
  tableName: string,
  commands: CapturedCommand[],
  chargerIds: string[],
): Promise<string[]> {
  const client = createDocumentClient({ endpoint });
  const refused: string[] = [];
  try {
    for (const [index, command] of retarget(commands, tableName).entries()) {
      try {
        await client.send(new replayable[command.name]!(command.input as never));
      } catch {
        refused.push(chargerIds[index % chargerIds.length]!);
      }
    }
    return [...new Set(refused)];
  } finally {
    client.destroy();
  }
}

const retarget = (commands: CapturedCommand[], tableName: string) =>
  commands.map((command) => ({
    ...command,
    input: JSON.parse(
      JSON.stringify(command.input).replaceAll(`"${String(command.input.TableName)}"`, `"${tableName}"`),
    ) as Record<string, unknown>,
  }));

/** Replays the captured commands against `tableName` at `bounds.window` in flight; returns commands/s. */
export async function replayRate(
  endpoint: string,
  tableName: string,
  commands: CapturedCommand[],
  bounds: LoopBounds,
): Promise<{ perS: number; sent: number; errors: number; errorNames: Record<string, number> }> {
  const client = createDocumentClient({ endpoint });
  const retargeted = retarget(commands, tableName);
  let issued = 0;
  let completed = 0;
  let errors = 0;
  const errorNames: Record<string, number> = {};
  const limit = Math.min(bounds.maxCount, retargeted.length);
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < bounds.durationMs && issued < limit) {
      const command = retargeted[issued++]!;
      try {
        await client.send(new replayable[command.name]!(command.input as never));
      } catch (error) {
        errors++;
        const name = (error as Error).name;
        errorNames[name] = (errorNames[name] ?? 0) + 1;
      }
      completed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: bounds.window }, worker));
    return { perS: completed / ((performance.now() - started) / 1000), sent: completed, errors, errorNames };
  } finally {
    client.destroy();
  }
}
