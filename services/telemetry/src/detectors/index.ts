export * from './findings.js';
export * from './flapping.js';
export * from './meter-anomaly.js';
export * from './observations.js';
export * from './site-load.js';
export * from './stalled-charging.js';
export * from './window.js';
