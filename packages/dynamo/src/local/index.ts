export * from './dynamodb-local-server.js';
export * from './test-table.js';
