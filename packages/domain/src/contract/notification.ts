import * as z from 'zod/mini';
import { pure } from '../pure.js';
import { chargerIdSchema, connectorIdSchema, isoTimestampSchema, uuidSchema } from './primitives.js';

export const notificationKinds = [
  'session.authorized',
  'session.rejected',
  'meter.reading',
  'meter.unavailable',
  'session.completed',
  'remote.timeout',
  'charger.offline',
  'charger.online',
  'connector.faulted',
  'connector.recovered',
  'charger.pending',
  'transaction.orphan',
  'command.result',
  'alert.opened',
  'alert.cleared',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export const audiences = ['user', 'operator'] as const;
export type Audience = (typeof audiences)[number];

export const audienceOfKind: Record<NotificationKind, Audience> = {
  'session.authorized': 'user',
  'session.rejected': 'user',
  'meter.reading': 'user',
  'meter.unavailable': 'user',
  'session.completed': 'user',
  'remote.timeout': 'user',
  'charger.offline': 'operator',
  'charger.online': 'operator',
  'connector.faulted': 'operator',
  'connector.recovered': 'operator',
  'charger.pending': 'operator',
  'transaction.orphan': 'operator',
  'command.result': 'operator',
  'alert.opened': 'operator',
  'alert.cleared': 'operator',
};

export const notificationBodySchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({
      version: z.literal(1),
      kind: z.enum(notificationKinds),
      at: isoTimestampSchema,
      audience: z.enum(audiences),
      userId: z.optional(z.string().check(z.minLength(1))),
      chargerId: chargerIdSchema,
      connectorId: z.optional(connectorIdSchema),
      sessionId: z.optional(uuidSchema),
      data: z.record(z.string(), z.unknown()),
      text: z.strictObject({ ko: z.string().check(z.minLength(1)), en: z.string().check(z.minLength(1)) }),
    })
    .check(
      z.refine((body) => body.audience === audienceOfKind[body.kind], {
        message: 'audience does not match kind',
        path: ['audience'],
      }),
      z.refine((body) => (body.audience === 'user') === (body.userId !== undefined), {
        message: 'userId is present exactly for the user audience',
        path: ['userId'],
      }),
    ),
);
export type NotificationBody = z.infer<typeof notificationBodySchema>;

/** SNS message attributes, for subscription filter policies. */
export interface NotificationAttributes {
  kind: NotificationKind;
  audience: Audience;
  userId?: string;
  chargerId: string;
}

export function notificationAttributes(body: NotificationBody): NotificationAttributes {
  return {
    kind: body.kind,
    audience: body.audience,
    ...(body.userId ? { userId: body.userId } : {}),
    chargerId: body.chargerId,
  };
}
