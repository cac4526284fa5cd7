import { parseOrThrow, SpoofError } from '@evcharge/domain';
import type { MiddlewareObj } from '@middy/core';
import type * as z from 'zod/mini';

/**
 * Refuses an IoT rule event whose MQTT client id is not the charger named by the topic.
 * Runs before parsing: a spoof is reported as a spoof even when its payload is also bad.
 */
export function refuseSpoof(): MiddlewareObj<unknown, unknown> {
  const refuseSpoofBefore = (request: { event: unknown }) => {
    const event = request.event as { chargerId?: unknown; clientId?: unknown } | null;
    if (typeof event !== 'object' || event === null) return;
    const { chargerId, clientId } = event;
    if (typeof chargerId === 'string' && typeof clientId === 'string' && chargerId !== clientId) {
      throw new SpoofError(chargerId, clientId);
    }
  };
  return { before: refuseSpoofBefore };
}

export interface ParseEventOptions<Schema extends z.ZodMiniType> {
  schema: Schema;
}

/** Validates the event against a contract schema; bad input becomes a BadInputError naming the field. */
export function parseEvent<Schema extends z.ZodMiniType>(
  options: ParseEventOptions<Schema>,
): MiddlewareObj<unknown, unknown> {
  const parseEventBefore = (request: { event: unknown }) => {
    request.event = parseOrThrow(options.schema, request.event);
  };
  return { before: parseEventBefore };
}
