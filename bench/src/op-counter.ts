import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// Counts every DynamoDB command a client sends and sums its ConsumedCapacity. It also sets
// ReturnConsumedCapacity=TOTAL on every request, so repositories need not ask for it themselves.

export interface OpCounts {
  reads: number;
  writes: number;
  transactions: number;
  rcu: number;
  wcu: number;
  /** Writes refused by their condition: AWS still bills ≥ 1 WCU, which DynamoDB Local does not report. */
  refusedWrites: number;
  byCommand: Record<string, number>;
}

export const emptyCounts = (): OpCounts => ({
  reads: 0,
  writes: 0,
  transactions: 0,
  rcu: 0,
  wcu: 0,
  refusedWrites: 0,
  byCommand: {},
});

const readCommands = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const transactionCommands = new Set(['TransactWriteItems', 'TransactGetItems']);
const writeCommands = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

function unitsOf(capacity: Capacity): number {
  if (!capacity) return 0;
  const list = Array.isArray(capacity) ? capacity : [capacity];
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

export interface OpCounter {
  counts: OpCounts;
  /** Returns the counts so far and starts a new tally. */
  take: () => OpCounts;
}

const attached = new WeakMap<DynamoDBDocumentClient, OpCounter>();

/** Attaches (once per client) a counting middleware; clients given the same counter share its tally. */
export function countOperations(
  client: DynamoDBDocumentClient,
  counter: OpCounter = newCounter(),
): OpCounter {
  const existing = attached.get(client);
  if (existing) return existing;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const counts = counter.counts;
      counts.byCommand[command] = (counts.byCommand[command] ?? 0) + 1;
      const isRead = readCommands.has(command);
      if (transactionCommands.has(command)) counts.transactions++;
      else if (isRead) counts.reads++;
      else if (writeCommands.has(command)) counts.writes++;
      try {
        const result = await next(args);
        const units = unitsOf((result.output as { ConsumedCapacity?: Capacity }).ConsumedCapacity);
        // AWS bills a read request at least 0.5 RCU (eventually consistent) even when it returns nothing;
        // DynamoDB Local reports 0 for an empty Query.
        if (isRead) counts.rcu += Math.max(units, 0.5);
        else counts.wcu += units;
        return result;
      } catch (error) {
        const name = (error as Error).name;
        if (
          !isRead &&
          (name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException')
        ) {
          counts.refusedWrites++;
          counts.wcu += 1;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchOperationCounter', override: true },
  );
  attached.set(client, counter);
  return counter;
}

export function newCounter(): OpCounter {
  return {
    counts: emptyCounts(),
    take() {
      const taken = this.counts;
      this.counts = emptyCounts();
      return taken;
    },
  };
}
