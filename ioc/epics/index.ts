// EPICS-wide types both protocols (ioc/ca, ioc/pva) and the database share.
export * from './alarm.js';
export * from './events.js';
export * from './field-type.js';
export * from './status.js';
export * from './time.js';
export * from './value.js';
