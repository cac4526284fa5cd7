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
  reset: () => void;
}

/** Records every command the client sends (a client middleware: nothing is mocked). */
export function countCommands(client: DynamoDBDocumentClient): CommandCounter {
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands', override: true },
  );
  return {
    commands,
    writes: () => commands.filter((name) => writeCommands.has(name)),
    reset: () => {
      commands.length = 0;
    },
  };
}
