import { describe, expect, it } from 'vitest';
import { shrinkFrame } from '../../web/image.js';

const bytes = (b64: string) => [...Buffer.from(b64, 'base64')];

describe('shrinkFrame', () => {
  it('max-pools so a one-pixel peak survives, scales min..max to 0..255, and gives full-frame statistics', () => {
    const data = new Int32Array(8 * 8).fill(10);
    data[3 * 8 + 5] = 110; // one hot pixel
    const f = shrinkFrame(data, 8, 8, 4);
    expect([f.width, f.height, f.sizeX, f.sizeY]).toEqual([4, 4, 8, 8]);
    expect([f.min, f.max, f.total]).toEqual([10, 110, 63 * 10 + 110]);
    expect(f.mean).toBeCloseTo((63 * 10 + 110) / 64);
    const px = bytes(f.pixels);
    expect(px).toHaveLength(16);
    expect(px[1 * 4 + 2]).toBe(255); // block (x 4..5, y 2..3)
    expect(px.filter((v) => v === 0)).toHaveLength(15);
  });

  it('keeps small frames as they are and handles non-square and partial blocks', () => {
    const data = Array.from({ length: 6 * 3 }, (_, i) => i);
    const f = shrinkFrame(data, 6, 3, 256);
    expect([f.width, f.height]).toEqual([6, 3]);
    expect(bytes(f.pixels)[17]).toBe(255);
    const g = shrinkFrame(data, 6, 3, 4); // factor 2: 3 × 2 blocks, the last row half full
    expect([g.width, g.height]).toEqual([3, 2]);
    expect(bytes(g.pixels)).toEqual([7, 9, 11, 13, 15, 17].map((v) => Math.round((v / 17) * 255)));
  });

  it('copes with a waveform shorter than the reported size and with an empty one', () => {
    const f = shrinkFrame(new Int32Array(10), 4, 4);
    expect([f.sizeX, f.sizeY, f.width, f.height]).toEqual([4, 2, 4, 2]);
    const e = shrinkFrame(new Int32Array(0), 1024, 1024);
    expect([e.width, e.height, e.min, e.max, e.total, e.pixels]).toEqual([0, 0, 0, 0, 0, '']);
  });
});
