import * as z from 'zod';
import { plugEvents } from './contract/device.js';
import { sessionStatuses } from './contract/http.js';
import { chargerIdSchema, connectorIdSchema, isoTimestampSchema, uuidSchema } from './contract/primitives.js';
import { connectorStatuses } from './entities.js';

// The ConnectorEvent item: written by plug-events, read back by the table package's history query (and the
// tools that check a connector's audit trail), so its one definition lives here.

const ignoredPlugReasons = ['older', 'duplicate', 'already-plugged', 'not-plugged'] as const;

/** The audit trail of a connector: one item per distinct plug event, applied or ignored. */
export const connectorEventSchema = z.object({
  chargerId: chargerIdSchema,
  connectorId: connectorIdSchema,
  messageId: uuidSchema,
  event: z.enum(plugEvents),
  at: isoTimestampSchema,
  receivedAt: isoTimestampSchema,
  outcome: z.enum(['applied', 'ignored']),
  reason: z.enum(ignoredPlugReasons).optional(),
  /** Connector status after the event. */
  connectorStatus: z.enum(connectorStatuses),
  sessionId: uuidSchema.optional(),
  sessionFrom: z.enum(sessionStatuses).optional(),
  sessionTo: z.enum(sessionStatuses).optional(),
});
export type ConnectorEvent = z.infer<typeof connectorEventSchema>;
