import { registerRecordType } from '../registry.js';
import { AiRecord } from './ai.js';
import { AoRecord } from './ao.js';
import { BiRecord, BoRecord } from './binary.js';
import { BusyRecord } from './busy.js';
import { CalcoutRecord, CalcRecord } from './calc.js';
import { CompressRecord } from './compress.js';
import { DfanoutRecord, FanoutRecord } from './fanout.js';
import { Int64inRecord, Int64outRecord, LonginRecord, LongoutRecord } from './long.js';
import { LsiRecord, LsoRecord } from './long-string.js';
import { MbbiRecord, MbboRecord } from './mbb.js';
import { SelRecord } from './sel.js';
import { SeqRecord } from './seq.js';
import { StringinRecord, StringoutRecord } from './string.js';
import { SubArrayRecord } from './subarray.js';
import { AaiRecord, AaoRecord, WaveformRecord } from './waveform.js';

for (const cls of [
  AiRecord,
  AoRecord,
  BiRecord,
  BoRecord,
  BusyRecord,
  MbbiRecord,
  MbboRecord,
  LonginRecord,
  LongoutRecord,
  Int64inRecord,
  Int64outRecord,
  StringinRecord,
  StringoutRecord,
  WaveformRecord,
  AaiRecord,
  AaoRecord,
  CalcRecord,
  CalcoutRecord,
  SeqRecord,
  FanoutRecord,
  DfanoutRecord,
  SelRecord,
  CompressRecord,
  SubArrayRecord,
  LsiRecord,
  LsoRecord,
]) {
  registerRecordType(cls);
}
