export * from './errors.js';
export type * from './types.js';
export * from './dot-stuffing.js';
