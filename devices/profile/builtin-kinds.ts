import { createAreaDetector } from '../areadetector/index.js';
import { createLinkam } from '../linkam/linkam.js';
import { createShutter } from '../shutter/shutter.js';
import { registerDeviceKind, setting } from './kinds.js';

registerDeviceKind('linkam', {
  create: ({ db }, spec) =>
    createLinkam(db, {
      prefix: setting(spec, 'prefix', 'string'),
      aliases: setting<string[]>(spec, 'aliases', 'array', []),
      setpoint: setting(spec, 'setpoint', 'number', 25),
      rampRate: setting(spec, 'rampRate', 'number', 10),
      temperature: setting(spec, 'temperature', 'number', 25),
      stepPeriod: setting(spec, 'stepPeriod', 'number', 1),
    }),
  prefixes: (spec) => [String(spec['prefix']), ...((spec['aliases'] as string[] | undefined) ?? [])],
});

registerDeviceKind('shutter', {
  create: ({ db }, spec) =>
    createShutter(db, {
      pv: setting(spec, 'pv', 'string'),
      blades: setting<string[]>(spec, 'blades', 'array', []),
      delay: setting(spec, 'delay', 'number', 0.1),
    }),
  prefixes: (spec) => [String(spec['pv']), ...((spec['blades'] as string[] | undefined) ?? [])],
});

registerDeviceKind('areaDetector', {
  create: ({ db }, spec) =>
    createAreaDetector(db, setting(spec, 'prefix', 'string'), {
      maxSizeX: setting(spec, 'sizeX', 'number', 1024),
      maxSizeY: setting(spec, 'sizeY', 'number', 1024),
      acquireTime: setting(spec, 'acquireTime', 'number', 0.1),
      ...(spec['model'] !== undefined ? { model: setting(spec, 'model', 'string') } : {}),
      ...(spec['manufacturer'] !== undefined ? { manufacturer: setting(spec, 'manufacturer', 'string') } : {}),
      ...(spec['fileRoot'] !== undefined ? { files: { root: setting(spec, 'fileRoot', 'string'), mapPaths: true } } : {}),
    }),
  prefixes: (spec) => [String(spec['prefix'])],
});
