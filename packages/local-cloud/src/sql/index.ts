export * from './ast.js';
export * from './evaluate.js';
export * from './functions.js';
export * from './parser.js';
export * from './topic-filter.js';
