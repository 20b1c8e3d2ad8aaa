// Synthetic frames: deterministic, the fast renderer agrees with the per-pixel definition.
import { describe, expect, it } from 'vitest';
import { renderFrame, sensorValue, type FrameSpec } from '../../../devices/areadetector/index.js';

const spec: FrameSpec = {
  maxSizeX: 64, maxSizeY: 48, minX: 3, minY: 5, sizeX: 50, sizeY: 40, binX: 1, binY: 1, reverseX: false, reverseY: false,
  seed: 7, frame: 3, exposure: 1.5, gain: 2, gainX: 1, gainY: 1, peakRate: 1000, backgroundRate: 3, offset: 10, noise: 4,
  peakStartX: 20, peakStartY: 18, peakWidthX: 4, peakWidthY: 3, peakNumX: 2, peakNumY: 2, peakStepX: 20, peakStepY: 15, peakVariation: 0.2,
};

describe('renderFrame', () => {
  it('matches sensorValue pixel by pixel, with reversal and binning', () => {
    for (const variant of [spec, { ...spec, reverseX: true, reverseY: true }, { ...spec, binX: 2, binY: 3 }]) {
      const img = renderFrame(variant);
      const w = Math.floor(variant.sizeX / variant.binX);
      const h = Math.floor(variant.sizeY / variant.binY);
      expect(img.length).toBe(w * h);
      for (let oy = 0; oy < h; oy++) {
        for (let ox = 0; ox < w; ox++) {
          const bx = variant.reverseX ? w - 1 - ox : ox;
          const by = variant.reverseY ? h - 1 - oy : oy;
          let v = 0;
          for (let dy = 0; dy < variant.binY; dy++) {
            for (let dx = 0; dx < variant.binX; dx++) v += sensorValue(variant, variant.minX + bx * variant.binX + dx, variant.minY + by * variant.binY + dy);
          }
          expect(img[oy * w + ox]).toBe(v);
        }
      }
    }
  });

  it('is deterministic and varies with the frame number only through noise and variation', () => {
    expect(Array.from(renderFrame(spec))).toEqual(Array.from(renderFrame(spec)));
    expect(Array.from(renderFrame(spec))).not.toEqual(Array.from(renderFrame({ ...spec, frame: 4 })));
    const quiet = { ...spec, noise: 0, peakVariation: 0 };
    expect(Array.from(renderFrame(quiet))).toEqual(Array.from(renderFrame({ ...quiet, frame: 99 })));
  });
});
