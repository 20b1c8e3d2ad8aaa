export * from './channel-state.js';
export * from './circuit.js';
export * from './client.js';
export * from './client-config.js';
export * from './context.js';
export * from './errors.js';
export * from './search.js';
export * from './values.js';
