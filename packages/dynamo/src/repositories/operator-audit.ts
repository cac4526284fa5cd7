import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { BadInputError, ConflictError, NotFoundError } from '@evcharge/domain';
import { entities, keys } from '../entities.js';
import { type EntityOf, itemOf } from '../entity.js';
import { entityOf, type TableContext } from '../table-context.js';

// The operators' audit log: who did what, when, and its outcome. Every operator route writes it (the console's
// and metering's operator remote stop), so it lives with the table: one item per action in a day partition,
// newest first by its sort key; kept 400 days (TTL).

type AuditEntry = EntityOf<typeof entities.operatorAudit>;

const RETENTION_S = 400 * 24 * 3600;

export async function recordAudit(
  table: TableContext,
  entry: Omit<AuditEntry, 'auditId'>,
): Promise<AuditEntry> {
  const full: AuditEntry = { ...entry, auditId: randomUUID() };
  const expiresAtEpochS = Math.floor(Date.parse(entry.at) / 1000) + RETENTION_S;
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { ...itemOf(entities.operatorAudit, full), expiresAtEpochS },
    }),
  );
  return full;
}

/** The newest entries of today and the day before, newest first. */
export async function listAudit(table: TableContext, now: Date, limit = 200): Promise<AuditEntry[]> {
  const days = [now, new Date(now.getTime() - 24 * 3600 * 1000)].map((day) => day.toISOString().slice(0, 10));
  const entries: AuditEntry[] = [];
  for (const day of days) {
    if (entries.length >= limit) break;
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.operatorAuditDay(day) },
        ScanIndexForward: false,
        Limit: limit - entries.length,
      }),
    );
    entries.push(...Items.map((item) => entityOf<AuditEntry>(item)));
  }
  return entries;
}

/** Runs an operator action and audits it whatever its outcome; a refusal (4xx) or failure is rethrown. */
export async function audited<Result>(
  deps: { table: TableContext; now: () => Date },
  entry: { operatorId: string; action: string; target: string; input?: Record<string, unknown> },
  act: () => Promise<Result>,
  describe: (result: Result) => string | undefined = () => undefined,
): Promise<Result> {
  const at = deps.now().toISOString();
  try {
    const result = await act();
    const detail = describe(result);
    await recordAudit(deps.table, { ...entry, at, outcome: 'ok', ...(detail ? { detail } : {}) });
    return result;
  } catch (error) {
    const refused =
      error instanceof BadInputError || error instanceof NotFoundError || error instanceof ConflictError;
    const detail = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 1000) : String(error);
    await recordAudit(deps.table, { ...entry, at, outcome: refused ? 'refused' : 'failed', detail });
    throw error;
  }
}
