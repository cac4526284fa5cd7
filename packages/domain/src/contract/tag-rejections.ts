import type { AuthStatus } from './device.js';

// Shared: the `reason` a charger and a rejected-session notification carry, documented in docs/contract.md.

/** Why a tag was refused; stored on the auth attempt and carried by the `session.rejected` notification. */
export const tagRejectionReasons = {
  Invalid: 'idtag-unknown',
  Blocked: 'idtag-blocked',
  Expired: 'idtag-expired',
  ConcurrentTx: 'idtag-concurrent-limit',
} as const satisfies Record<Exclude<AuthStatus, 'Accepted' | 'Unavailable'>, string>;
export type TagRejectionReason = (typeof tagRejectionReasons)[keyof typeof tagRejectionReasons];

/** Why a remote start or stop was refused by the charger; carried by the `session.rejected` notification. */
export const remoteRejectionReasons = {
  start: 'remote-start-rejected',
  stop: 'remote-stop-rejected',
} as const;
export type RemoteRejectionReason = (typeof remoteRejectionReasons)[keyof typeof remoteRejectionReasons];
