import { currencySchema, DEFAULT_CONNECTION_TIMEOUT_S, type Tariff } from '@evcharge/domain';
import { integerEnv, requiredEnv } from '@evcharge/middleware';

// The session functions' environment (authorize, transaction-start, expire-sessions), read once per cold start.
// transaction-start reads CONNECTION_TIMEOUT_S through its fallback only: it opens no Authorized session.

/** Snapshotted onto every new session. */
export const tariff: Tariff = {
  pricePerKwhMinor: integerEnv('TARIFF_PRICE_PER_KWH_MINOR'),
  currency: currencySchema.parse(requiredEnv('TARIFF_CURRENCY')),
};

/** How long an Authorized session waits for a plug before it expires. */
export const connectionTimeoutS = integerEnv('CONNECTION_TIMEOUT_S', {
  fallback: DEFAULT_CONNECTION_TIMEOUT_S,
});
