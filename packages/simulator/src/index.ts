export * from './charger.js';
export * from './clock.js';
export * from './fleet.js';
export * from './id-tags.js';
export * from './payloads.js';
export * from './random.js';
export * from './stats.js';
export * from './v2-charger.js';
