/**
 * What one run of the heartbeat service's offline sweeper did. Shared because the bench reads it from the
 * sweeper's response, and a tool may not import a service's src.
 */
export interface OfflineSweep {
  /** Chargers the deadlines index returned as due. */
  due: number;
  markedOffline: number;
  /** Read capacity of the index queries: grows with due chargers, not with the fleet. */
  consumedReadUnits: number;
  /** Query rounds: more than one only when a shard had more due chargers than one page. */
  rounds: number;
}
