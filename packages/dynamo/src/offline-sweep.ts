/**
 * What one run of the heartbeat service's offline sweeper did. Shared because the bench reads it from the
 * sweeper's response, and a tool may not import a service's src.
 */
export interface OfflineSweep {
  /** Chargers the deadlines index returned as due. */
  due: number;
  markedOffline: number;
  /** Connected chargers heard within their silence window: their next check moved on (the backstop). */
  rearmed: number;
  /** Read capacity of the index queries and of reading each due charger: grows with due chargers, not the fleet. */
  consumedReadUnits: number;
  /** Query rounds: more than one only when a shard had more due chargers than one page. */
  rounds: number;
}
