import type { RemoteStartPayload, RemoteStopPayload } from '@evcharge/domain';
import { publishToCharger } from '@evcharge/middleware/publish-to-charger';

/** RemoteStartTransaction: asks the charger to start on `chargers/{id}/remote/start`. */
export function publishRemoteStart(chargerId: string, payload: RemoteStartPayload): Promise<void> {
  return publishToCharger('remoteStart', chargerId, payload);
}

/** RemoteStopTransaction: asks the charger to stop on `chargers/{id}/remote/stop`. */
export function publishRemoteStop(chargerId: string, payload: RemoteStopPayload): Promise<void> {
  return publishToCharger('remoteStop', chargerId, payload);
}

export type PublishRemoteStart = typeof publishRemoteStart;
export type PublishRemoteStop = typeof publishRemoteStop;
