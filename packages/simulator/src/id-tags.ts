import { addIdTag, blockIdTag, type TableContext } from '@evcharge/dynamo';
import type { SeededRandom } from './random.js';

export const idTagKinds = ['valid', 'blocked', 'expired', 'unknown'] as const;
export type IdTagKind = (typeof idTagKinds)[number];
export type IdTagMix = Record<IdTagKind, number>;

/** Mostly good tags, with enough of each bad kind that every rejection path runs in a short demo. */
export const DEFAULT_ID_TAG_MIX: IdTagMix = { valid: 0.8, blocked: 0.07, expired: 0.07, unknown: 0.06 };

export interface IdTagPlan {
  /** One valid tag per charger (maxConcurrent 1), so ConcurrentTx only happens if the backend lags. */
  validByCharger: string[];
  blocked: string[];
  expired: string[];
  /** Never added to the table. */
  unknown: string[];
  userOf: Record<string, string>;
}

const pad = (index: number) => String(index + 1).padStart(3, '0');

export function planIdTags(prefix: string, chargers: number): IdTagPlan {
  const bad = Math.max(2, Math.ceil(chargers / 5));
  const validByCharger = Array.from({ length: chargers }, (_, index) => `${prefix}V${pad(index)}`);
  const blocked = Array.from({ length: bad }, (_, index) => `${prefix}B${pad(index)}`);
  const expired = Array.from({ length: bad }, (_, index) => `${prefix}X${pad(index)}`);
  const unknown = Array.from({ length: bad }, (_, index) => `${prefix}U${pad(index)}`);
  const userOf: Record<string, string> = {};
  for (const [index, tag] of [...validByCharger, ...blocked, ...expired].entries()) {
    userOf[tag] = `sim-user-${pad(index % Math.max(chargers, 1))}`;
  }
  return { validByCharger, blocked, expired, unknown, userOf };
}

/** Through the operator repositories, like `pnpm idtags add|block`. */
export async function provisionIdTags(table: TableContext, plan: IdTagPlan, now: Date): Promise<void> {
  const expiredAt = new Date(now.getTime() - 24 * 3600 * 1000).toISOString();
  for (const idTag of plan.validByCharger) {
    await addIdTag(table, { idTag, userId: plan.userOf[idTag]!, maxConcurrent: 1 });
  }
  for (const idTag of plan.blocked) {
    await addIdTag(table, { idTag, userId: plan.userOf[idTag]! });
    await blockIdTag(table, idTag);
  }
  for (const idTag of plan.expired) {
    await addIdTag(table, { idTag, userId: plan.userOf[idTag]!, expiresAt: expiredAt });
  }
}

export function chooseIdTag(
  plan: IdTagPlan,
  chargerIndex: number,
  mix: IdTagMix,
  random: SeededRandom,
): { idTag: string; kind: IdTagKind } {
  const kind = random.weighted(mix);
  if (kind === 'valid') return { idTag: plan.validByCharger[chargerIndex]!, kind };
  return { idTag: random.pick(plan[kind]), kind };
}
