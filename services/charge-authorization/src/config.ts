import { currencySchema, DEFAULT_CONNECTION_TIMEOUT_S, type Tariff } from '@evcharge/domain';
import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { integerEnv, requiredEnv } from '@evcharge/middleware';

// Environment → typed config, read once per cold start. No network at import.

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/** Snapshotted onto every new session. */
export const tariff: Tariff = {
  pricePerKwhMinor: integerEnv('TARIFF_PRICE_PER_KWH_MINOR'),
  currency: currencySchema.parse(requiredEnv('TARIFF_CURRENCY')),
};

/** How long an Authorized session waits for a plug before it expires. */
export const connectionTimeoutS = integerEnv('CONNECTION_TIMEOUT_S', {
  fallback: DEFAULT_CONNECTION_TIMEOUT_S,
});
