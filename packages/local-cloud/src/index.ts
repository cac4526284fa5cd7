export type { BrokerMessage } from './broker/broker.js';
export * from './cloud.js';
export { printService } from './config/serverless-print.js';
export { DeliveryStream } from './firehose/index.js';
export { type OcppGatewayProcess, startOcppGateway } from './gateway/ocpp-gateway-process.js';
export { evaluateStatement, parseSql, topicMatches, UnsupportedSqlError } from './sql/index.js';
export type { DeadLetterRecord } from './state/dead-letters.js';
export type { PublishedNotification } from './state/notifications.js';
export { type EventPattern, matchesAnyPattern } from './streams/event-filter.js';
