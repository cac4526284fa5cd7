import * as z from 'zod';
import { epochMsSchema } from './primitives.js';

// AWS IoT Core lifecycle events, as published on $aws/events/presence/{connected|disconnected}/{clientId}.
// Not strict: AWS may add fields, and these come from IoT Core itself, not from a device.

const presenceBaseSchema = z.object({
  clientId: z.string().min(1).max(128),
  timestamp: epochMsSchema,
  sessionIdentifier: z.string().min(1),
  principalIdentifier: z.string().min(1),
  versionNumber: z.number().int().nonnegative(),
});

export const connectedEventSchema = presenceBaseSchema.extend({
  eventType: z.literal('connected'),
  ipAddress: z.string().optional(),
});

export const disconnectedEventSchema = presenceBaseSchema.extend({
  eventType: z.literal('disconnected'),
  clientInitiatedDisconnect: z.boolean(),
  disconnectReason: z.string(),
});

export const presenceEventSchema = z.discriminatedUnion('eventType', [
  connectedEventSchema,
  disconnectedEventSchema,
]);
export type PresenceEvent = z.infer<typeof presenceEventSchema>;
export type ConnectedEvent = z.infer<typeof connectedEventSchema>;
export type DisconnectedEvent = z.infer<typeof disconnectedEventSchema>;
