export * from './client.js';
export * from './keys.js';
export * from './repositories/chargers.js';
export * from './repositories/idtags.js';
export * from './repositories/liveness.js';
export * from './repositories/sessions.js';
export * from './table.js';
export * from './table-context.js';
