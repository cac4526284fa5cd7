export type { BrokerMessage } from './broker/broker.js';
export * from './cloud.js';
export { evaluateStatement, parseSql, topicMatches, UnsupportedSqlError } from './sql/index.js';
export type { DeadLetterRecord } from './state/dead-letters.js';
export type { PublishedNotification } from './state/notifications.js';
