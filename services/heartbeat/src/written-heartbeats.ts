import type { WrittenHeartbeat } from './rules.js';

/**
 * The heartbeats this container wrote, per charger, for its lifetime (a warm Lambda container serves many
 * chargers). Bounded: past `maxChargers` the oldest entry goes, which only costs that charger one write.
 */
export class WrittenHeartbeats {
  readonly #byCharger = new Map<string, WrittenHeartbeat>();

  constructor(private readonly maxChargers = 50_000) {}

  get(chargerId: string): WrittenHeartbeat | undefined {
    return this.#byCharger.get(chargerId);
  }

  remember(
    chargerId: string,
    { seenAtMs, clockSkewFlagged, firmware, heartbeatIntervalS }: WrittenHeartbeat,
  ): void {
    this.#byCharger.delete(chargerId);
    this.#byCharger.set(chargerId, { seenAtMs, clockSkewFlagged, firmware, heartbeatIntervalS });
    if (this.#byCharger.size > this.maxChargers) {
      const oldest = this.#byCharger.keys().next().value;
      if (oldest !== undefined) this.#byCharger.delete(oldest);
    }
  }
}
