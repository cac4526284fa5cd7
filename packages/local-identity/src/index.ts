export * from './credentials.js';
export * from './dev-tokens.js';
