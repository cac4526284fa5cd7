import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const writeCommands = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

export interface CommandCounter {
  readonly commands: string[];
  writes: () => string[];
  /** Write capacity units of the writes since the last reset, index writes included (as AWS bills them). */
  writeUnits: () => number;
  reset: () => void;
}

type Consumed = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
const unitsOf = (consumed: Consumed) =>
  (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
    (sum, entry) => sum + (entry.CapacityUnits ?? 0),
    0,
  );

/** Records every command the client sends (a client middleware: nothing is mocked). */
export function countCommands(client: DynamoDBDocumentClient): CommandCounter {
  const commands: string[] = [];
  let writeUnits = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      commands.push(name);
      if (!writeCommands.has(name)) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity ??= 'TOTAL';
      try {
        const result = await next(args);
        writeUnits += unitsOf((result.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
        return result;
      } catch (error) {
        writeUnits += 1; // a refused condition is billed one unit
        throw error;
      }
    },
    { step: 'initialize', name: 'countCommands', override: true },
  );
  return {
    commands,
    writes: () => commands.filter((name) => writeCommands.has(name)),
    writeUnits: () => writeUnits,
    reset: () => {
      commands.length = 0;
      writeUnits = 0;
    },
  };
}
