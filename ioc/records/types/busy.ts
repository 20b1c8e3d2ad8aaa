import type { DbrValue } from '../../epics/value.js';
import type { PutContext } from '../../db/pv.js';
import { FieldTable, type FieldDef } from '../field.js';
import { BoRecord } from './binary.js';

/**
 * busy (synApps busy record): a bo whose put-callback of 1 completes only when VAL returns to 0 —
 * how areaDetector's Acquire tells clients that an acquisition has finished.
 */
export class BusyRecord extends BoRecord {
  static override readonly recordType = 'busy';
  static override readonly table = new FieldTable(BoRecord.table.fields);
  private waiters: (() => void)[] = [];

  override async putField(fd: FieldDef, value: DbrValue, ctx: PutContext): Promise<void> {
    await super.putField(fd, value, ctx);
    if (fd.name === 'VAL' && this.num('VAL') === 1) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  protected override monitor(alarmMask: number): void {
    super.monitor(alarmMask);
    if (this.num('VAL') === 0 && this.waiters.length) {
      const w = this.waiters;
      this.waiters = [];
      for (const resolve of w) resolve();
    }
  }
}
