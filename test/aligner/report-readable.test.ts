import { describe, expect, it } from 'vitest';
import { channelLegend, displayValue } from '../../aligner/report/format.js';
import { formatScoreText } from '../../aligner/report/text.js';
import { scoreAllPresets } from '../../aligner/score.js';
import type { Event } from '../../aligner/trace.js';

const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
const ev = (channel: string, timestamp: number, value: Event['value']): Event => ({ channel, timestamp, value });
const text = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe('the score report a person can read', () => {
  const trace = [
    ev(`${CAM}AcquireTime`, 0, 0.5),
    ev(`${CAM}Acquire`, 1, 1),
    ev(`${CAM}AcquireBusy`, 1.1, 1),
    ev(`${CAM}Acquire_RBV`, 1.2, 1),
    ev(`${CAM}FilePath`, 1.3, [...text('/data/run7'), 0, 0]),
  ];
  const report = formatScoreText('vision', scoreAllPresets([trace], trace), ['ref.json']);

  it('long channel names get a legend key for their device prefix, so names differing at the end stay apart', () => {
    expect(report).toContain(`[1] = ${CAM}`);
    for (const f of ['AcquireTime', 'Acquire ', 'AcquireBusy', 'Acquire_RBV']) expect(report).toContain(`[1]${f}`);
  });

  it('a char array that holds text prints as that text; other arrays as numbers', () => {
    expect(report).toContain('"/data/run7"');
    expect(displayValue(ev('x', 0, [65, 200, 66]))).toBe('[65, 200, 66]');
    expect(displayValue(ev('x', 0, [0, 0]))).toBe('[0, 0]');
    expect(displayValue(ev('x', 0, [72, 105, 0, 65]))).toBe('[72, 105, 0, 65]');
    expect(displayValue(ev('x', 0, 'plain'))).toBe('plain');
  });

  it('says which event kinds the presets score', () => {
    expect(report).toMatch(/client puts, put completions, connects and line events are not scored by any preset/);
  });

  it('short names are left alone', () => {
    const { short, legend } = channelLegend(['a:b', 'c'], 36);
    expect([short('a:b'), short('c'), legend]).toEqual(['a:b', 'c', []]);
  });
});
