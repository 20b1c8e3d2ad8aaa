import { registerRecordType } from '../registry.js';
import { AiRecord } from './ai.js';
import { AoRecord } from './ao.js';
import { BiRecord, BoRecord } from './binary.js';
import { BusyRecord } from './busy.js';
import { Int64inRecord, Int64outRecord, LonginRecord, LongoutRecord } from './long.js';
import { MbbiRecord, MbboRecord } from './mbb.js';
import { StringinRecord, StringoutRecord } from './string.js';
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
]) {
  registerRecordType(cls);
}
