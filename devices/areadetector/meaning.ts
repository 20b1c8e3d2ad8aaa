import type { DeviceMeaning } from '../meaning.js';
import { recordPrefix } from './detector.js';
import { DEFAULT_MODEL, loadModel } from './model.js';

/**
 * What matters about an areaDetector at `prefix`: its driver (the model's ADBase instance, `cam1:`)
 * acquires from Acquire 1 to Acquire 0, AcquireTime/NumExposures/NumImages are the exposure settings and
 * ArrayCounter_RBV counts the images read out.
 */
export function detectorMeaning(prefix: string, detectorModel = DEFAULT_MODEL): DeviceMeaning {
  const cam = loadModel(detectorModel).instances.find((i) => i.templates.includes('ADBase'));
  const p = recordPrefix(prefix, cam?.suffix ?? 'cam1:');
  return {
    prefixes: [prefix],
    meanings: [
      {
        kind: 'exposure',
        acquire: `${p}Acquire`,
        exposureTime: `${p}AcquireTime`,
        exposuresPerImage: `${p}NumExposures`,
        numImages: `${p}NumImages`,
        imageCounter: `${p}ArrayCounter_RBV`,
      },
    ],
  };
}
