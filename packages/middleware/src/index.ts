export * from './classify-errors.js';
export * from './correlation.js';
export * from './dead-letter-sqs.js';
export * from './env.js';
export * from './handlers.js';
export * from './http.js';
export * from './iot-event.js';
export * from './logger.js';
export { operatorRoute } from './operator-role.js';
