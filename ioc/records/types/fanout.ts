import { AlarmStatus, DBE, Severity } from '../../ca/protocol/constants.js';
import { alarmLimitFields, analogDisplayFields, commonFields, fieldList } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { fanoutSELM, menuOmsl } from '../menus.js';
import { EpicsRecord, type FieldMeta } from '../record.js';
import { GROUPS } from './seq.js';

/** Settle the completions that were started (processing of asynchronous targets), if any. */
function allOf(started: (Promise<void> | undefined)[]): Promise<void> | undefined {
  const p = started.filter((x): x is Promise<void> => x !== undefined);
  return p.length ? Promise.all(p).then(() => undefined) : undefined;
}

/**
 * fanout (fanoutRecord.c): forward-process LNK0–LNKF (the 3.14 LNK1–LNK6 are among them): All in
 * order, Specified (SELN + OFFS), or Mask (SELN shifted by SHFT; SHFT defaults to -1 so bit 0 is LNK1).
 * Only propagates processing, never data.
 */
export class FanoutRecord extends EpicsRecord {
  static readonly recordType = 'fanout';
  static readonly table = new FieldTable(
    fieldList(commonFields, [
      f('VAL', 'LONG', { pp: true }),
      menu('SELM', fanoutSELM),
      f('SELN', 'USHORT', { initial: 1 }),
      f('SELL', 'INLINK'),
      f('OFFS', 'SHORT'),
      f('SHFT', 'SHORT', { initial: -1 }),
      ...GROUPS.map((g) => f(`LNK${g}`, 'FWDLINK')),
    ]),
  );
  private oldn = 1;

  protected override initRecord(): void {
    const seln = this.initConstantLink('SELL');
    if (typeof seln === 'number') this.v['SELN'] = seln & 0xffff;
  }

  /** dbScanFwdLink of one LNKn: process a passive target record (or any target through .PROC). */
  private scanFwdLink(field: string): Promise<void> | undefined {
    const l = this.link(field);
    if (l.kind !== 'pv') return undefined;
    const target = this.engine.findRecord(l.record);
    if (target) return target.scanPassive || l.field === 'PROC' ? target.processRecord() : undefined;
    return this.engine.lookupPv(`${l.record}.PROC`)?.put(1, { origin: 'link', user: this.name }).catch(() => undefined);
  }

  protected process(): void | Promise<void> {
    this.oldn = this.num('SELN');
    const v = this.readLinkNumber('SELL');
    if (v !== undefined) this.v['SELN'] = Math.trunc(v) & 0xffff;
    let seln = this.num('SELN');
    const started: (Promise<void> | undefined)[] = [];
    switch (this.num('SELM')) {
      case 0:
        for (const g of GROUPS) started.push(this.scanFwdLink(`LNK${g}`));
        break;
      case 1: {
        const i = seln + this.num('OFFS');
        if (i < 0 || i >= GROUPS.length) this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
        else started.push(this.scanFwdLink(`LNK${GROUPS[i]}`));
        break;
      }
      case 2: {
        const shft = this.num('SHFT');
        if (shft < -15 || shft > 15) {
          this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
          break;
        }
        seln = (shft >= 0 ? seln >> shft : seln << -shft) & 0xffff;
        for (let i = 0; i < GROUPS.length && seln; i++, seln >>= 1) if (seln & 1) started.push(this.scanFwdLink(`LNK${GROUPS[i]}`));
        break;
      }
      default:
        this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
    }
    this.v['UDF'] = 0;
    return allOf(started);
  }

  protected override monitor(alarmMask: number): void {
    if (alarmMask) this.post('VAL', alarmMask);
    if (this.v['SELN'] !== this.oldn) this.post('SELN', alarmMask | DBE.VALUE | DBE.LOG);
  }
}

const OUTS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as const;
const dfanoutValueFields = new Set(['VAL', 'HIHI', 'HIGH', 'LOW', 'LOLO', 'LALM', 'ALST', 'MLST']);

/**
 * dfanout (dfanoutRecord.c): VAL (from DOL when closed_loop) is written to OUTA–OUTH — All, Specified
 * (SELN 1–8; 0 writes nothing) or Mask (bit 0 = OUTA). Limit alarms
 * and MDEL/ADEL as ai.
 */
export class DfanoutRecord extends EpicsRecord {
  static readonly recordType = 'dfanout';
  static readonly table = new FieldTable(
    fieldList(commonFields, analogDisplayFields, alarmLimitFields('DOUBLE'), [
      f('VAL', 'DOUBLE', { pp: true }),
      menu('SELM', fanoutSELM),
      f('SELN', 'USHORT', { initial: 1 }),
      f('SELL', 'INLINK'),
      ...OUTS.map((o) => f(`OUT${o}`, 'OUTLINK')),
      f('DOL', 'INLINK'),
      menu('OMSL', menuOmsl),
    ]),
  );

  protected override initRecord(): void {
    const seln = this.initConstantLink('SELL');
    if (typeof seln === 'number') this.v['SELN'] = seln & 0xffff;
    const dol = this.initConstantLink('DOL');
    if (typeof dol === 'number') {
      this.v['VAL'] = dol;
      this.v['UDF'] = Number.isNaN(dol) ? 1 : 0;
    }
  }

  private put(o: string): Promise<void> | undefined {
    const field = `OUT${o}`;
    if (this.link(field).kind !== 'pv') return undefined;
    // A missing target raises LINK/INVALID in writeLink (EPICS: LINK/MAJOR from dfanout, INVALID from
    // the disconnected CA link, the higher wins).
    return this.writeLink(field, this.num('VAL'));
  }

  protected process(): void | Promise<void> {
    if (this.num('OMSL') === 1) {
      const d = this.readLinkNumber('DOL');
      if (d !== undefined) {
        this.v['VAL'] = d;
        this.v['UDF'] = Number.isNaN(d) ? 1 : 0;
      }
    }
    const sel = this.readLinkNumber('SELL');
    if (sel !== undefined) this.v['SELN'] = Math.trunc(sel) & 0xffff;
    this.checkLimitAlarms(this.num('VAL'));
    const started: (Promise<void> | undefined)[] = [];
    const seln = this.num('SELN');
    switch (this.num('SELM')) {
      case 0:
        for (const o of OUTS) started.push(this.put(o));
        break;
      case 1:
        if (seln > OUTS.length) this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
        else if (seln > 0) started.push(this.put(OUTS[seln - 1]!));
        break;
      case 2:
        for (let i = 0, s = seln; i < OUTS.length && s; i++, s >>= 1) if (s & 1) started.push(this.put(OUTS[i]!));
        break;
      default:
        this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
    }
    return allOf(started);
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (dfanoutValueFields.has(fd.name)) {
      // get_control_double leaves the alarm limit fields to recGbl (the type's range).
      const ctrl = /^(HIHI|HIGH|LOW|LOLO)$/.test(fd.name) ? [1e300, -1e300] : [this.num('HOPR'), this.num('LOPR')];
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: this.analogLimits(fd, ctrl[0]!, ctrl[1]!), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}
