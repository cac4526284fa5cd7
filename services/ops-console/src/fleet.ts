import type { TableContext } from '@evcharge/dynamo';
import { allItems } from './pages.js';
import { type FleetView, fleetViewOf } from './rules.js';

// The fleet as the console shows it: one paginated Scan for the charger partitions' registry items and the
// orphan transaction stops. Read-only: nothing is written for the console, so the hot paths (heartbeats,
// readings) keep their write costs.

const fleetEntityTypes = [
  'Charger',
  'ChargerBoot',
  'ChargerStatus',
  'Connector',
  'Alert',
  'OrphanTransactionStop',
];

export async function readFleet(table: TableContext, now: Date): Promise<FleetView> {
  const items = await allItems<Record<string, unknown>>(table, {
    FilterExpression: `entityType IN (${fleetEntityTypes.map((_, index) => `:t${index}`).join(', ')})`,
    ExpressionAttributeValues: Object.fromEntries(
      fleetEntityTypes.map((type, index) => [`:t${index}`, type]),
    ),
  });
  return fleetViewOf(items, now);
}
