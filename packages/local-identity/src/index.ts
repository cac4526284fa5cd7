export * from './charger-registration.js';
export * from './credentials.js';
export * from './dev-tokens.js';
export * from './ocpp-credentials.js';
