/** MQTT topic filter matching with `+` (one level) and `#` (this level and below, last only). */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  // Like MQTT, `+` and `#` at the first level do not match `$`-topics (e.g. $aws/events/...).
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) return false;
  for (let index = 0; index < filterLevels.length; index++) {
    const level = filterLevels[index];
    if (level === '#') return true;
    if (index >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[index]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** Rejects filters MQTT would reject: `#` not last, or wildcards mixed into a level. */
export function invalidFilterReason(filter: string): string | undefined {
  const levels = filter.split('/');
  for (const [index, level] of levels.entries()) {
    if (level === '#' && index !== levels.length - 1) return `'#' must be the last level in '${filter}'`;
    if (level !== '#' && level !== '+' && /[#+]/.test(level)) return `wildcard inside a level in '${filter}'`;
  }
  return undefined;
}
