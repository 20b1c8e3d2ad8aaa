// The twin against the reference detector IOC (test/fixtures/areadetector/adsim-records.json: every record
// of an ADSimDetector IOC configured as the reference setup's, read over CA): each record served with the
// same record type, native type, element count, enum strings, units and precision; start-up values equal
// except the deliberate differences listed here with their reasons.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DbrBase } from '../../../ioc/ca/protocol/dbr-types.js';
import type { Pv } from '../../../ioc/db/pv.js';
import { decodeChars } from '../../../devices/areadetector/params.js';
import { P, rig } from './helpers.js';

interface RefRecord {
  record: string;
  type: string;
  count: number;
  value: unknown;
  enum: string[];
  units: string | null;
  precision: number | null;
}
const ref = JSON.parse(fs.readFileSync(new URL('../../fixtures/areadetector/adsim-records.json', import.meta.url), 'utf8')) as {
  records: Record<string, RefRecord>;
};
const REF_PREFIX = 'XF:11BMB-ES{Det:PIL2M}:';
const TYPE_NAMES: Record<number, string> = { [DbrBase.LONG]: 'long', [DbrBase.DOUBLE]: 'double', [DbrBase.ENUM]: 'enum', [DbrBase.STRING]: 'string', [DbrBase.CHAR]: 'char' };

/** What a CA client's DBR_CTRL shows of a PV (units for numeric types, precision for floating ones). */
function seen(pv: Pv) {
  const type = TYPE_NAMES[pv.nativeType] ?? String(pv.nativeType);
  const numeric = type === 'long' || type === 'double' || type === 'char';
  return {
    record: pv.recordType,
    type,
    count: pv.maxCount,
    enum: type === 'enum' ? [...pv.enumStrings] : [],
    units: numeric ? pv.units : null,
    precision: type === 'double' ? pv.precision : null,
  };
}

/** A value as the reference lists it (enum state names, strings, arrays cut to 8 elements). */
function listed(pv: Pv): unknown {
  const v = pv.value;
  if (pv.nativeType === DbrBase.ENUM) return pv.enumStrings[v as number] ?? v;
  if (pv.nativeType === DbrBase.CHAR && pv.maxCount > 1 && !pv.name.endsWith('ArrayData')) return decodeChars(v);
  if (typeof v === 'object') return Array.from(v as ArrayLike<number>).slice(0, 8);
  return v;
}
function refValue(r: RefRecord): unknown {
  if (r.type === 'char' && r.count > 1 && Array.isArray(r.value)) {
    const bytes = r.value as number[];
    const end = bytes.indexOf(0);
    return Buffer.from(end < 0 ? bytes : bytes.slice(0, end)).toString('latin1');
  }
  return r.value;
}

/**
 * Deliberate start-up differences, by record name pattern, with the reason. Everything else must equal
 * the reference after the twin's running start has run as long as the reference had (about 2 s).
 */
const DELIBERATE: readonly [RegExp, string][] = [
  [/cam1:DataType(_RBV)?$|cam1:ArraySize_RBV$/, 'the twin makes 32-bit counts (Int32): the reference\'s Int8 wraps the Peaks image'],
  [/:(TimeStamp_RBV|EpicsTSSec_RBV|EpicsTSNsec_RBV)$/, 'time stamps of the moment read: the twin\'s clock, not the reference\'s'],
  [/:(ArrayCounter_RBV|UniqueId_RBV|NumImagesCounter_RBV|TSCurrentPoint)$/, 'counters depend on how many frames fit between start-up and the read'],
  [/:(ExecutionTime_RBV|Pool(AllocBuffers|FreeBuffers|UsedBuffers|UsedMem)|ArrayRate_RBV)$/, 'CPU time, memory pool and measured rate of the real IOC process; the twin has no pool'],
  [/:(DataType_RBV|CompressedSize_RBV|ArraySize_RBV|Dimensions_RBV|Dim\dSA_RBV|ArraySize\d_RBV|ArraySize[XYZ]_RBV|NDimensions_RBV)$/, 'the last array\'s description: the twin\'s arrays are Int32, and which plugins had an array depends on timing'],
  [/Stats\d:(MinValue|MaxValue|MeanValue|Sigma|Total|Net|MinX|MinY|MaxX|MaxY)_RBV$/, 'statistics of the twin\'s own Peaks frames (Int32 counts, its own peak shape), not simDetector\'s Int8 pixels'],
  [/cam1:(DetectorState_RBV|TimeRemaining_RBV|StatusMessage_RBV)$/, 'the acquisition phase at the moment of the read'],
  [/image1:ArrayData$/, 'pixels of the twin\'s frames'],
];

/** How the default (idle) start differs beyond those: no acquisition has run, one image per Acquire. */
const IDLE: readonly [RegExp, string][] = [
  [/cam1:(ImageMode|NumImages)(_RBV)?$/, 'the idle start takes one image per Acquire (Multiple, 1): scripts that write Acquire 1 and wait get one image'],
  [/cam1:(Acquire|Acquire_RBV|AcquireBusy|AcquireBusyCB|SetAcquireBusy|ClearAcquireBusy)$/, 'the idle start does not acquire'],
  [/:(NDimensions_RBV|Dimensions_RBV|Dim\dSA_RBV|ArraySize[0-9XYZ]?_RBV|CompressedSize_RBV|TimeStamp_RBV|EpicsTS(Sec|Nsec)_RBV|ArrayCounter_RBV|UniqueId_RBV)$/, 'no array has been made yet'],
  [/Stats\d:(MinValue|MaxValue|MeanValue|Sigma|Total|Net|MinX|MinY|MaxX|MaxY)_RBV$/, 'no statistics before the first array'],
];

function deliberate(name: string, extra: readonly [RegExp, string][] = []): string | undefined {
  return [...DELIBERATE, ...extra].find(([re]) => re.test(name))?.[1];
}

function valueDifferences(r: ReturnType<typeof rig>, extra: readonly [RegExp, string][] = []): string[] {
  const differ: string[] = [];
  for (const name of Object.keys(ref.records)) {
    const short = name.slice(REF_PREFIX.length);
    if (deliberate(short, extra)) continue;
    const pv = r.db.get(P + ':' + short)!;
    const want = refValue(ref.records[name]!);
    const got = listed(pv);
    const same = typeof want === 'number' && typeof got === 'number' ? Math.abs(want - got) <= 1e-9 * Math.max(1, Math.abs(want)) : JSON.stringify(got) === JSON.stringify(want);
    if (!same) differ.push(`${short}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
  }
  return differ;
}

describe('the twin serves every record of the reference detector IOC', () => {
  const r = rig({ start: 'running' });
  const names = Object.keys(ref.records);

  it('lists 4051 records', () => {
    expect(names.length).toBe(4051);
  });

  it('every record: record type, native type, count, enum strings, units, precision', () => {
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const name of names) {
      const pv = r.db.get(P + ':' + name.slice(REF_PREFIX.length));
      if (!pv) {
        missing.push(name);
        continue;
      }
      const want = ref.records[name]!;
      const got = seen(pv);
      const exp = { record: want.record, type: want.type, count: want.count, enum: want.enum, units: want.units, precision: want.precision };
      if (JSON.stringify(got) !== JSON.stringify(exp)) wrong.push(`${name}: ${JSON.stringify(got)} ≠ ${JSON.stringify(exp)}`);
    }
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
  });

  it('serves beyond the reference only the Pilatus records of Pilatus clients', () => {
    const served = new Set(names.map((n) => P + ':' + n.slice(REF_PREFIX.length)));
    const extra = r.det.pvNames.filter((n) => !served.has(n)).map((n) => n.slice(P.length + 1));
    expect(extra.sort()).toEqual(
      ['Armed', 'BeamX', 'BeamX_RBV', 'BeamY', 'BeamY_RBV', 'DelayTime', 'DelayTime_RBV', 'DetDist', 'DetDist_RBV', 'Energy', 'Energy_RBV', 'GapFill', 'GapFill_RBV', 'HeaderString', 'HeaderString_RBV', 'ThresholdApply', 'ThresholdAutoApply', 'ThresholdAutoApply_RBV', 'ThresholdEnergy', 'ThresholdEnergy_RBV', 'Wavelength', 'Wavelength_RBV']
        .map((n) => `cam1:${n}`)
        .sort(),
    );
  });

  it('start-up values equal the reference after a running start of 2 s, except the deliberate differences', async () => {
    await r.clock.advance(2000);
    expect(r.get('cam1:Acquire')).toBe(1);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(20);
    expect(r.get('Stats1:ArrayCounter_RBV')).toBe(20);
    expect(valueDifferences(r)).toEqual([]);
  });

  it('the default start is idle: it differs from the reference only as listed', () => {
    const idle = rig();
    expect(idle.get('cam1:Acquire')).toBe(0);
    expect(idle.clock.pending).toBe(0);
    expect(valueDifferences(idle, IDLE)).toEqual([]);
  });
});
