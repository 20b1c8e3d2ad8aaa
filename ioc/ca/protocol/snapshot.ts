// Value shapes and the snapshot are EPICS-wide (ioc/epics/value.ts); re-exported for existing imports.
export { elementCount, noLimits, type DbrSnapshot, type DbrValue, type Limits } from '../../epics/value.js';
