import type { MeterRequestPayload } from '@evcharge/domain';
import { publishToCharger } from '@evcharge/middleware/publish-to-charger';

/** TriggerMessage(MeterValues): asks the charger for a fresh reading on `chargers/{id}/meter/request`. */
export function publishMeterRequest(chargerId: string, payload: MeterRequestPayload): Promise<void> {
  return publishToCharger('meterRequest', chargerId, payload);
}

export type PublishMeterRequest = typeof publishMeterRequest;
