import { describe, expect, it } from '@jest/globals';
import { parseSchedule } from '../../src/schedules/schedule-expression.js';

describe('schedule expressions', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
  ])('%s', (expression, periodMs) => {
    expect(parseSchedule(expression)).toEqual({ kind: 'rate', periodMs });
  });

  it.each([
    ['cron(0/5 * * * ? *)', '2026-01-01T10:02:30Z', '2026-01-01T10:05:00.000Z'],
    ['cron(15 10 * * ? *)', '2026-01-01T10:15:00Z', '2026-01-02T10:15:00.000Z'],
    ['cron(0 18 ? * MON-FRI *)', '2026-01-02T19:00:00Z', '2026-01-05T18:00:00.000Z'],
    ['cron(0 8 1 * ? *)', '2026-01-15T00:00:00Z', '2026-02-01T08:00:00.000Z'],
    ['cron(30 9 ? * 1 *)', '2026-01-01T00:00:00Z', '2026-01-04T09:30:00.000Z'],
  ])('%s after %s → %s', (expression, after, next) => {
    const schedule = parseSchedule(expression);
    if (schedule.kind !== 'cron') throw new Error('expected cron');
    expect(schedule.next(new Date(after)).toISOString()).toBe(next);
  });

  it('rejects what EventBridge would reject', () => {
    expect(() => parseSchedule('every 5 minutes')).toThrow(/unsupported schedule/);
    expect(() => parseSchedule('cron(0 * * *)')).toThrow(/6 fields/);
  });
});
