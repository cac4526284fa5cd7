import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import {
  BadInputError,
  type CommandAction,
  type CommandPayload,
  type CommandRecord,
  chargerTopic,
  commandPayloadSchema,
  NotFoundError,
  parseOrThrow,
} from '@evcharge/domain';
import { closePendingCommand, createCommand, getCharger, type TableContext } from '@evcharge/dynamo';

// One operator command to a charger on chargers/{id}/command, shared by `npm run chargers` and the console:
// the Command item is written first (so the answer always finds it), then published with expiresAt = now +
// timeout (the charger drops it unexecuted after that). The heartbeat service records the answer on the item.

export const DEFAULT_COMMAND_TIMEOUT_S = 30;

export interface OperatorCommandRequest {
  chargerId: string;
  action: CommandAction;
  payload: Record<string, unknown>;
  timeoutS: number;
}

export interface SendCommandDeps {
  table: TableContext;
  iotData: IoTDataPlaneClient;
  now: () => Date;
  newRequestId: () => string;
}

/** The connector a command's payload names (0 is the whole charger), checked against the registered count. */
function connectorOf(payload: Record<string, unknown>): number | undefined {
  return typeof payload.connectorId === 'number' && payload.connectorId > 0 ? payload.connectorId : undefined;
}

/**
 * Validates the command against the contract (BadInputError by field), checks the charger and connector
 * (NotFoundError, BadInputError), records it pending and publishes it. A failed publish closes it as failed.
 */
export async function sendOperatorCommand(
  deps: SendCommandDeps,
  request: OperatorCommandRequest,
): Promise<CommandRecord> {
  const sentAt = deps.now();
  const message = parseOrThrow(commandPayloadSchema, {
    requestId: deps.newRequestId(),
    action: request.action,
    payload: request.payload,
    expiresAt: new Date(sentAt.getTime() + request.timeoutS * 1000).toISOString(),
    at: sentAt.toISOString(),
  });
  const charger = await getCharger(deps.table, request.chargerId);
  if (!charger) throw new NotFoundError(`charger ${request.chargerId} is not registered`);
  const connectorId = connectorOf(message.payload);
  if (connectorId !== undefined && connectorId > charger.connectorCount) {
    throw new BadInputError(
      'payload.connectorId',
      `charger ${request.chargerId} has ${charger.connectorCount} connector(s); there is no connector ${connectorId}`,
    );
  }
  const command: CommandRecord = {
    chargerId: request.chargerId,
    requestId: message.requestId,
    action: message.action,
    ...(Object.keys(message.payload).length > 0 ? { payload: message.payload } : {}),
    state: 'pending',
    sentAt: message.at,
    expiresAt: message.expiresAt,
  };
  await createCommand(deps.table, command);
  try {
    await publishCommand(deps.iotData, request.chargerId, message);
  } catch (error) {
    const failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await closePendingCommand(deps.table, command, { state: 'failed', failure });
    throw error;
  }
  return command;
}

async function publishCommand(
  iotData: IoTDataPlaneClient,
  chargerId: string,
  message: CommandPayload,
): Promise<void> {
  await iotData.send(
    new PublishCommand({
      topic: chargerTopic('command', chargerId),
      qos: 1,
      contentType: 'application/json',
      payload: new TextEncoder().encode(JSON.stringify(message)),
    }),
  );
}
