import type { RecordClass } from './record.js';

/** Record types by name; types register themselves from ./types/index.ts. */
export const recordTypes = new Map<string, RecordClass>();

export function registerRecordType(cls: RecordClass): void {
  recordTypes.set(cls.recordType, cls);
}
