import * as z from 'zod/mini';
import { pure } from '../pure.js';
import { epochMsSchema } from './primitives.js';

// AWS IoT Core lifecycle events, as published on $aws/events/presence/{connected|disconnected}/{clientId}.
// Not strict: AWS may add fields, and these come from IoT Core itself, not from a device.

const presenceBaseSchema = /* @__PURE__ */ pure(() =>
  z.object({
    clientId: z.string().check(z.minLength(1), z.maxLength(128)),
    timestamp: epochMsSchema,
    sessionIdentifier: z.string().check(z.minLength(1)),
    principalIdentifier: z.string().check(z.minLength(1)),
    versionNumber: z.int().check(z.nonnegative()),
  }),
);

export const connectedEventSchema = /* @__PURE__ */ pure(() =>
  z.extend(presenceBaseSchema, {
    eventType: z.literal('connected'),
    ipAddress: z.optional(z.string()),
  }),
);

export const disconnectedEventSchema = /* @__PURE__ */ pure(() =>
  z.extend(presenceBaseSchema, {
    eventType: z.literal('disconnected'),
    clientInitiatedDisconnect: z.boolean(),
    disconnectReason: z.string(),
  }),
);

export const presenceEventSchema = /* @__PURE__ */ pure(() =>
  z.discriminatedUnion('eventType', [connectedEventSchema, disconnectedEventSchema]),
);
export type PresenceEvent = z.infer<typeof presenceEventSchema>;
export type ConnectedEvent = z.infer<typeof connectedEventSchema>;
export type DisconnectedEvent = z.infer<typeof disconnectedEventSchema>;
