/** The EPICS motor record with a motorSim-style simulated controller. Importing this registers record type 'motor'. */
import { registerRecordType } from '../../ioc/records/registry.js';
import { MotorRecord } from './motor-record.js';

registerRecordType(MotorRecord);

export { MotorRecord } from './motor-record.js';
export * from './coordinates.js';
export * from './device-support.js';
export * from './factory.js';
export * from './fields.js';
export * from './profile.js';
export * from './sim-controller.js';
export * from './status.js';
