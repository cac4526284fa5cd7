import { randomUUID } from 'node:crypto';
import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { BadInputError, type CommandAction, type CommandRecord, NotFoundError } from '@evcharge/domain';
import { audited, getCommand, type TableContext } from '@evcharge/dynamo';
import { DEFAULT_COMMAND_TIMEOUT_S, sendOperatorCommand } from '@evcharge/operations';

// Operator commands from the console: the operator CLI's own operation (sendOperatorCommand), audited. The
// answer arrives later on the Command item (heartbeat records it); the console reads it back.

export interface CommandDeps {
  table: TableContext;
  iotData: IoTDataPlaneClient;
  now: () => Date;
}

const MAX_TIMEOUT_S = 300;

export async function sendCommand(
  deps: CommandDeps,
  operatorId: string,
  chargerId: string,
  body: Record<string, unknown>,
): Promise<CommandRecord> {
  const { action, payload = {}, timeoutS = DEFAULT_COMMAND_TIMEOUT_S } = body;
  if (typeof action !== 'string') throw new BadInputError('action', 'must be a command action');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new BadInputError('payload', 'must be an object');
  if (typeof timeoutS !== 'number' || !Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > MAX_TIMEOUT_S)
    throw new BadInputError('timeoutS', `must be a whole number of seconds from 1 to ${MAX_TIMEOUT_S}`);
  return audited(
    deps,
    { operatorId, action: `command ${action.slice(0, 40)}`, target: chargerId, input: { payload } },
    () =>
      sendOperatorCommand(
        { ...deps, newRequestId: randomUUID },
        { chargerId, action: action as CommandAction, payload: payload as Record<string, unknown>, timeoutS },
      ),
    (command) => `sent, requestId ${command.requestId}`,
  );
}

/** The command as recorded; a pending one past its expiry reads as timed out (the charger drops it). */
export async function readCommand(
  deps: Pick<CommandDeps, 'table' | 'now'>,
  chargerId: string,
  requestId: string,
): Promise<CommandRecord> {
  const command = await getCommand(deps.table, chargerId, requestId);
  if (!command) throw new NotFoundError(`command ${requestId}`);
  if (command.state === 'pending' && Date.parse(command.expiresAt) < deps.now().getTime())
    return { ...command, state: 'timedOut' };
  return command;
}
