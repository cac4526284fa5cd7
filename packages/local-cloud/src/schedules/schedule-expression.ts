/** Parses `rate(...)`/`cron(...)` and gives the next occurrence after a time (UTC), as EventBridge does. */
export type Schedule = { kind: 'rate'; periodMs: number } | { kind: 'cron'; next: (after: Date) => Date };

const unitsMs: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (rate) {
    const unit = (rate[2] ?? '').replace(/s$/, '');
    return { kind: 'rate', periodMs: Number(rate[1]) * (unitsMs[unit] ?? 0) };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) return { kind: 'cron', next: cronNext(cron[1] ?? '') };
  throw new Error(`unsupported schedule expression: ${expression}`);
}

function cronNext(body: string): (after: Date) => Date {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`cron needs 6 fields (min hour day month weekday year): ${body}`);
  const [minutes, hours, days, months, weekdays, years] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const matchMinute = fieldMatcher(minutes, 0, 59);
  const matchHour = fieldMatcher(hours, 0, 23);
  const matchDay = fieldMatcher(days, 1, 31);
  const matchMonth = fieldMatcher(months, 1, 12, monthNames);
  // EventBridge weekdays are 1-7 starting Sunday.
  const matchWeekday = fieldMatcher(weekdays, 1, 7, weekdayNames);
  const matchYear = fieldMatcher(years, 1970, 2199);
  return (after: Date) => {
    const candidate = new Date(after.getTime());
    candidate.setUTCSeconds(0, 0);
    candidate.setUTCMinutes(candidate.getUTCMinutes() + 1);
    // Minute steps over at most ~5 years is enough for any expression that can fire.
    for (let step = 0; step < 5 * 366 * 24 * 60; step++) {
      if (
        matchYear(candidate.getUTCFullYear()) &&
        matchMonth(candidate.getUTCMonth() + 1) &&
        matchDay(candidate.getUTCDate()) &&
        matchWeekday(candidate.getUTCDay() + 1) &&
        matchHour(candidate.getUTCHours()) &&
        matchMinute(candidate.getUTCMinutes())
      )
        return candidate;
      candidate.setUTCMinutes(candidate.getUTCMinutes() + 1);
    }
    throw new Error(`cron(${body}) never fires`);
  };
}

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const weekdayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function fieldMatcher(
  field: string,
  min: number,
  max: number,
  names: string[] = [],
): (value: number) => boolean {
  if (field === '*' || field === '?') return () => true;
  const allowed = new Set<number>();
  const toNumber = (text: string) => {
    const named = names.indexOf(text.toUpperCase());
    if (named >= 0) return named + 1;
    const value = Number(text);
    if (!Number.isInteger(value)) throw new Error(`unsupported cron field '${field}'`);
    return value;
  };
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    const [startText = '', endText] = range.split('-');
    const start = range === '*' ? min : toNumber(startText);
    const end = range === '*' || (stepText && !endText) ? max : endText ? toNumber(endText) : start;
    for (let value = start; value <= end; value += step) allowed.add(value);
  }
  return (value) => allowed.has(value);
}
