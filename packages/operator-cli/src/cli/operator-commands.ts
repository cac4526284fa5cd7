import { randomUUID } from 'node:crypto';
import { type CommandAction, type CommandRecord, messageTriggers } from '@evcharge/domain';
import { closePendingCommand, getCommand } from '@evcharge/dynamo';
import { DEFAULT_COMMAND_TIMEOUT_S, sendOperatorCommand } from '@evcharge/operations';
import {
  chargerIdArgument,
  integerOption,
  type OptionsConfig,
  type ParsedArgs,
  stringOption,
  UsageError,
} from './args.js';
import { type CliDeps, resolveIotDataEndpoint, resolveTableTarget, type TableTarget } from './deps.js';

// `pnpm chargers reset|unlock|availability|config|trigger|clear-cache <chargerId> …`: one OCPP command to a
// charger on chargers/{id}/command. The Command item is written first (so the answer always finds it),
// then published with expiresAt = now + timeout (the charger drops it unexecuted after that); the CLI then
// reads the item until the heartbeat service records the charger's answer on it, or marks it timedOut.

export const OPERATOR_COMMANDS_USAGE = `  npm run chargers -- reset <chargerId> [--hard]
  npm run chargers -- unlock <chargerId> <connectorId>
  npm run chargers -- availability <chargerId> <connectorId|0> operative|inoperative
  npm run chargers -- config <chargerId> [key]            (GetConfiguration: all keys, or one)
  npm run chargers -- config <chargerId> <key>=<value>    (ChangeConfiguration)
  npm run chargers -- trigger <chargerId> <${messageTriggers.join('|')}> [connectorId]
  npm run chargers -- clear-cache <chargerId>
  (each also takes [--timeout S] (default 30), [--aws] [--table NAME]; it waits for the charger's answer)`;

export { DEFAULT_COMMAND_TIMEOUT_S };

const POLL_INTERVAL_MS = 250;

/** The options these commands add to `pnpm chargers`'s own. */
export const operatorCommandOptions = {
  hard: { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies OptionsConfig;

type Values = ParsedArgs['values'];

interface PlannedCommand {
  action: CommandAction;
  payload: Record<string, unknown>;
}

/** The command-line words of each command → its OCPP action and payload (checked by the contract after). */
const commandBuilders: Record<string, (args: string[], values: Values) => PlannedCommand> = {
  reset: (args, values) => {
    expectArgs(args, [], []);
    return { action: 'Reset', payload: { type: values.hard === true ? 'Hard' : 'Soft' } };
  },
  unlock: (args) => {
    const [connector] = expectArgs(args, ['connectorId'], []);
    const connectorId = integerArgument('connectorId', connector);
    return { action: 'UnlockConnector', payload: { connectorId } };
  },
  availability: (args) => {
    const [connector, type] = expectArgs(args, ['connectorId|0', 'operative|inoperative'], []);
    const connectorId = integerArgument('connectorId|0', connector);
    if (type !== 'operative' && type !== 'inoperative') {
      throw new UsageError(
        `argument <operative|inoperative> must be operative or inoperative, got '${type}'`,
      );
    }
    return {
      action: 'ChangeAvailability',
      payload: { connectorId, type: type === 'operative' ? 'Operative' : 'Inoperative' },
    };
  },
  config: (args) => {
    const [keyOrAssignment] = expectArgs(args, [], ['key']);
    if (keyOrAssignment === undefined) return { action: 'GetConfiguration', payload: {} };
    const equals = keyOrAssignment.indexOf('=');
    if (equals < 0) return { action: 'GetConfiguration', payload: { key: [keyOrAssignment] } };
    return {
      action: 'ChangeConfiguration',
      payload: { key: keyOrAssignment.slice(0, equals), value: keyOrAssignment.slice(equals + 1) },
    };
  },
  trigger: (args) => {
    const [requestedMessage, connector] = expectArgs(args, ['MessageTrigger'], ['connectorId']);
    if (!(messageTriggers as readonly string[]).includes(requestedMessage ?? '')) {
      throw new UsageError(
        `argument <MessageTrigger> must be one of ${messageTriggers.join(', ')}, got '${requestedMessage}'`,
      );
    }
    const connectorId = connector === undefined ? undefined : integerArgument('connectorId', connector);
    return {
      action: 'TriggerMessage',
      payload: { requestedMessage, ...(connectorId !== undefined ? { connectorId } : {}) },
    };
  },
  'clear-cache': (args) => {
    expectArgs(args, [], []);
    return { action: 'ClearCache', payload: {} };
  },
};

export function isOperatorCommand(word: string | undefined): boolean {
  return word !== undefined && Object.hasOwn(commandBuilders, word);
}

function expectArgs(args: string[], required: string[], optional: string[]): (string | undefined)[] {
  if (args.length < required.length) throw new UsageError(`missing argument <${required[args.length]}>`);
  if (args.length > required.length + optional.length) {
    throw new UsageError(`unexpected argument '${args[required.length + optional.length]}'`);
  }
  return [...required, ...optional].map((_, index) => args[index]);
}

function integerArgument(name: string, raw: string | undefined): number {
  if (raw === undefined || !/^\d{1,3}$/.test(raw)) {
    throw new UsageError(`argument <${name}> must be a connector number, got '${raw}'`);
  }
  return Number(raw);
}

/** Sends one operator command and waits for its answer; 0 when answered, 1 on a timeout. */
export async function runOperatorCommand(
  word: string,
  positionals: string[],
  values: Values,
  deps: CliDeps,
  onTarget: (target: TableTarget) => void,
): Promise<number> {
  const build = commandBuilders[word];
  if (!build) throw new UsageError(`unknown command '${word}'`);
  for (const name of ['connectors', 'pending', 'cert-dir', 'policy', 'mqtt-url', 'region', 'account']) {
    if (values[name] !== undefined) throw new UsageError(`option --${name} is not used by '${word}'`);
  }
  const [chargerIdRaw, ...args] = positionals;
  if (chargerIdRaw === undefined) throw new UsageError('missing argument <chargerId>');
  const chargerId = chargerIdArgument(chargerIdRaw);
  if (values.hard !== undefined && word !== 'reset')
    throw new UsageError(`option --hard is only for 'reset'`);
  const timeoutS = integerOption(values, 'timeout', { min: 1, max: 3600 }) ?? DEFAULT_COMMAND_TIMEOUT_S;
  const planned = build(args, values);

  const aws = values.aws === true;
  const target = resolveTableTarget(deps.env, { aws, table: stringOption(values, 'table') });
  onTarget(target);
  const table = deps.openTable(target);
  const iotData = deps.openIotData(resolveIotDataEndpoint(deps.env, { aws }));
  try {
    // The contract's own schema: an argument it refuses is reported by field (payload.key, …), exit 2.
    const command = await sendOperatorCommand(
      { table, iotData, now: deps.now, newRequestId: randomUUID },
      { chargerId, action: planned.action, payload: planned.payload, timeoutS },
    );
    const message = { action: command.action, payload: command.payload ?? {} };
    const { requestId } = command;
    deps.io.out(
      `Sent ${message.action} ${JSON.stringify(message.payload)} to ${chargerId} (requestId ${requestId}); waiting up to ${timeoutS} s for its answer.`,
    );
    const outcome = await waitForAnswer(
      () => getCommand(table, chargerId, requestId),
      Date.now() + timeoutS * 1000,
    );
    const final =
      outcome?.state === 'answered'
        ? outcome
        : await closePendingCommand(table, command, { state: 'timedOut', at: deps.now().toISOString() });
    for (const line of formatOutcome(final, timeoutS)) deps.io.out(line);
    return final.state === 'answered' ? 0 : 1;
  } finally {
    iotData.destroy();
    table.close();
  }
}

/** Reads the command until it is answered or the deadline passes; the last read either way. */
async function waitForAnswer(
  read: () => Promise<CommandRecord | undefined>,
  deadlineMs: number,
): Promise<CommandRecord | undefined> {
  for (;;) {
    const command = await read();
    if (command?.state === 'answered' || Date.now() >= deadlineMs) return command;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, deadlineMs - Date.now())));
  }
}

/** What the operator sees: the charger's status and, for GetConfiguration, its keys; or the timeout. */
export function formatOutcome(command: CommandRecord, timeoutS: number): string[] {
  if (command.state !== 'answered') {
    return [
      `No answer from ${command.chargerId} to ${command.action} within ${timeoutS} s (requestId ${command.requestId}); kept as timed out.`,
      `The charger drops the command unexecuted after ${command.expiresAt}; an answer that still comes is recorded on the command.`,
    ];
  }
  const lines = [`${command.chargerId} answered ${command.action}: ${command.answerStatus}`];
  const configurationKey = command.answerPayload?.configurationKey;
  const unknownKey = command.answerPayload?.unknownKey;
  if (Array.isArray(configurationKey)) {
    for (const entry of configurationKey as { key?: unknown; value?: unknown; readonly?: unknown }[]) {
      const readonly = entry.readonly === true ? ' (read-only)' : '';
      lines.push(
        `  ${String(entry.key)} = ${entry.value === undefined ? '' : String(entry.value)}${readonly}`,
      );
    }
  }
  if (Array.isArray(unknownKey) && unknownKey.length > 0)
    lines.push(`  unknown keys: ${unknownKey.join(', ')}`);
  const rest = Object.keys(command.answerPayload ?? {}).filter(
    (key) => key !== 'configurationKey' && key !== 'unknownKey',
  );
  if (rest.length > 0) {
    lines.push(
      `  payload: ${JSON.stringify(Object.fromEntries(rest.map((key) => [key, command.answerPayload?.[key]])))}`,
    );
  }
  return lines;
}
