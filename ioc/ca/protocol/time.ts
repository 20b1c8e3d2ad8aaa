// EPICS time is EPICS-wide (ioc/epics/time.ts); re-exported for existing imports.
export { epicsTimeFromMs, epicsTimeToPosix, type EpicsTime } from '../../epics/time.js';
