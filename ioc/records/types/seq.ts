import { AlarmStatus, DBE, Severity } from '../../ca/protocol/constants.js';
import { commonFields, fieldList } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { seqSELM } from '../menus.js';
import { EpicsRecord, fieldLimits, type FieldMeta } from '../record.js';

/** Link-group suffixes 0–F (base 7). The 3.14 names DOL1–DOLA/LNK1–LNKA are groups 1–10 of the same set. */
export const GROUPS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'] as const;

/**
 * seq (seqRecord.c): for each selected link group n (SELM All / Specified / Mask with SELN, SELL, OFFS,
 * SHFT), wait DLYn seconds on the clock, read DOLn into DOn and write DOn to LNKn. Groups whose DOL and
 * LNK are both constant (or empty) are skipped. The record is asynchronous: PACT stays 1 until the last
 * group has been written, then monitors and FLNK run (put-callback completes then).
 */
export class SeqRecord extends EpicsRecord {
  static readonly recordType = 'seq';
  static readonly table = new FieldTable(
    fieldList(commonFields, [
      f('VAL', 'LONG', { pp: true }),
      menu('SELM', seqSELM),
      f('SELN', 'USHORT', { initial: 1 }),
      f('SELL', 'INLINK'),
      f('OFFS', 'SHORT'),
      f('SHFT', 'SHORT', { initial: -1 }),
      f('OLDN', 'USHORT', { readOnly: true }),
      f('PREC', 'SHORT'),
      ...GROUPS.flatMap((g) => [f(`DLY${g}`, 'DOUBLE'), f(`DOL${g}`, 'INLINK'), f(`DO${g}`, 'DOUBLE'), f(`LNK${g}`, 'OUTLINK')]),
    ]),
  );

  protected override initRecord(): void {
    const seln = this.initConstantLink('SELL');
    if (typeof seln === 'number') this.v['SELN'] = seln & 0xffff;
    for (const g of GROUPS) {
      const c = this.initConstantLink(`DOL${g}`);
      if (typeof c === 'number') this.v[`DO${g}`] = c;
    }
    this.v['OLDN'] = this.num('SELN');
  }

  private readSeln(): void {
    const v = this.readLinkNumber('SELL');
    if (v !== undefined) this.v['SELN'] = Math.trunc(v) & 0xffff;
  }

  /** The groups to run, in order, or undefined after raising SOFT/INVALID for a bad selection. */
  private selectedGroups(): number[] | undefined {
    let lmask: number;
    const selm = this.num('SELM');
    if (selm === 0) {
      lmask = 0xffff;
    } else {
      this.readSeln();
      if (selm === 1) {
        const grpn = this.num('SELN') + this.num('OFFS');
        if (grpn < 0 || grpn >= GROUPS.length) {
          this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
          return undefined;
        }
        if (grpn === 0) return []; // seqRecord.c: Specified group 0 does nothing
        lmask = 1 << grpn;
      } else if (selm === 2) {
        const shft = this.num('SHFT');
        if (shft < -15 || shft > 15) {
          this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
          return undefined;
        }
        lmask = (shft >= 0 ? this.num('SELN') >> shft : this.num('SELN') << -shft) & 0xffff;
      } else {
        this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
        return undefined;
      }
    }
    const out: number[] = [];
    for (let i = 0; lmask; lmask >>= 1, i++) {
      if (lmask & 1 && (this.link(`LNK${GROUPS[i]}`).kind === 'pv' || this.link(`DOL${GROUPS[i]}`).kind === 'pv')) out.push(i);
    }
    return out;
  }

  protected process(): void | Promise<void> {
    const groups = this.selectedGroups();
    if (!groups || groups.length === 0) return;
    return this.runGroups(groups);
  }

  /** processCallback per group, each after its delay ("always use the callback task": never inline). */
  private async runGroups(groups: number[]): Promise<void> {
    for (const i of groups) {
      const g = GROUPS[i]!;
      const dly = this.num(`DLY${g}`);
      await new Promise<void>((resolve) => {
        this.clock.setTimeout(resolve, dly > 0 ? dly * 1000 : 0);
      });
      const old = this.num(`DO${g}`);
      const v = this.readLinkNumber(`DOL${g}`);
      if (v !== undefined) this.v[`DO${g}`] = v;
      this.getTimeStamp();
      const w = this.writeLink(`LNK${g}`, this.num(`DO${g}`));
      if (!Object.is(old, this.v[`DO${g}`])) this.post(`DO${g}`, DBE.VALUE | DBE.LOG);
      if (w) await w;
    }
  }

  /** asyncFinish: UDF cleared; VAL posted only with an alarm change; SELN when it changed. */
  protected override monitor(alarmMask: number): void {
    this.v['UDF'] = 0;
    if (alarmMask) this.post('VAL', alarmMask);
    if (this.v['SELN'] !== this.v['OLDN']) {
      this.post('SELN', alarmMask | DBE.VALUE | DBE.LOG);
      this.v['OLDN'] = this.num('SELN');
    }
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (/^DLY[0-9A-F]$/.test(fd.name)) return { units: 's', precision: 2, limits: fieldLimits(10, 0, 0, 100000) /* seqRecord sets lower_disp_limit twice: 10 lands there */, enumStrings: [] };
    if (/^DO[0-9A-F]$/.test(fd.name)) {
      const l = this.link(`DOL${fd.name[2]}`);
      const target = l.kind === 'pv' ? this.engine.findRecord(l.record) : undefined;
      const tfd = l.kind === 'pv' ? target?.table.get(l.field) : undefined;
      // DOn: what DOLn points at (dbGetUnits, dbGetGraphicLimits …; nothing without a link), recGbl's control limits.
      if (target && tfd) {
        const m = target.fieldMeta(tfd);
        return { ...m, limits: { ...m.limits, upperCtrl: 1e300, lowerCtrl: -1e300 }, enumStrings: [] };
      }
      return { units: '', precision: this.num('PREC'), limits: fieldLimits(0, 0, -1e300, 1e300), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}
