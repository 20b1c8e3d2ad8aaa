export * from './repeater.js';
