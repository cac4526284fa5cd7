import * as z from 'zod/mini';
import { plugEvents } from './contract/device.js';
import { sessionStatuses } from './contract/http.js';
import { chargerIdSchema, connectorIdSchema, isoTimestampSchema, uuidSchema } from './contract/primitives.js';
import { connectorStatuses } from './entities.js';
import { pure } from './pure.js';

// The ConnectorEvent item: written by plug-events, read back by the table package's history query (and the
// tools that check a connector's audit trail), so its one definition lives here.

const ignoredPlugReasons = ['older', 'duplicate', 'already-plugged', 'not-plugged'] as const;

/** The audit trail of a connector: one item per distinct plug event, applied or ignored. */
export const connectorEventSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    messageId: uuidSchema,
    event: z.enum(plugEvents),
    at: isoTimestampSchema,
    receivedAt: isoTimestampSchema,
    outcome: z.enum(['applied', 'ignored']),
    reason: z.optional(z.enum(ignoredPlugReasons)),
    /** Connector status after the event. */
    connectorStatus: z.enum(connectorStatuses),
    sessionId: z.optional(uuidSchema),
    sessionFrom: z.optional(z.enum(sessionStatuses)),
    sessionTo: z.optional(z.enum(sessionStatuses)),
  }),
);
export type ConnectorEvent = z.infer<typeof connectorEventSchema>;
