import './types/index.js';

export * from './dbf.js';
export * from './field.js';
export * from './field-pv.js';
export * from './link.js';
export * from './record.js';
export * from './record-database.js';
export * from './registry.js';
