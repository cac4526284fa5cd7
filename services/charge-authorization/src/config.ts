import { currencySchema, DEFAULT_CONNECTION_TIMEOUT_S, type Tariff } from '@evcharge/domain';
import { createDocumentClient, type TableContext } from '@evcharge/dynamo';

// Environment → typed config, read once per cold start. No network at import.

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function nonNegativeIntegerEnv(name: string, fallback?: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    if (fallback === undefined) throw new Error(`environment variable ${name} is not set`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/** Snapshotted onto every new session. */
export const tariff: Tariff = {
  pricePerKwhMinor: nonNegativeIntegerEnv('TARIFF_PRICE_PER_KWH_MINOR'),
  currency: currencySchema.parse(requiredEnv('TARIFF_CURRENCY')),
};

/** How long an Authorized session waits for a plug before it expires. */
export const connectionTimeoutS = nonNegativeIntegerEnv('CONNECTION_TIMEOUT_S', DEFAULT_CONNECTION_TIMEOUT_S);
