import { createAreaDetector } from '../areadetector/index.js';
import { detectorMeaning } from '../areadetector/meaning.js';
import { createLinkam } from '../linkam/linkam.js';
import { linkamMeaning } from '../linkam/meaning.js';
import { createSimMotor, type SimMotorSettings } from '../motor/index.js';
import { motorMeaning } from '../motor/meaning.js';
import { createShutter } from '../shutter/shutter.js';
import { shutterMeaning } from '../shutter/meaning.js';
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
      ...(spec['range'] !== undefined ? { range: setting<[number, number]>(spec, 'range', 'array') } : {}),
      ...(spec['maxRampRate'] !== undefined ? { maxRampRate: setting<number>(spec, 'maxRampRate', 'number') } : {}),
    }),
  prefixes: (spec) => [String(spec['prefix']), ...((spec['aliases'] as string[] | undefined) ?? [])],
  settings: ['prefix', 'aliases', 'setpoint', 'rampRate', 'temperature', 'stepPeriod', 'range', 'maxRampRate'],
  meaning: (spec) => linkamMeaning(setting(spec, 'prefix', 'string'), setting<string[]>(spec, 'aliases', 'array', [])),
});

registerDeviceKind('shutter', {
  create: ({ db }, spec) =>
    createShutter(db, {
      pv: setting(spec, 'pv', 'string'),
      blades: setting<string[]>(spec, 'blades', 'array', []),
      delay: setting(spec, 'delay', 'number', 0.1),
    }),
  prefixes: (spec) => [String(spec['pv']), ...((spec['blades'] as string[] | undefined) ?? [])],
  settings: ['pv', 'blades', 'delay'],
  meaning: (spec) => shutterMeaning(setting(spec, 'pv', 'string'), setting<string[]>(spec, 'blades', 'array', [])),
});

registerDeviceKind('areaDetector', {
  create: ({ db }, spec) =>
    createAreaDetector(db, setting(spec, 'prefix', 'string'), {
      maxSizeX: setting(spec, 'sizeX', 'number', 1024),
      maxSizeY: setting(spec, 'sizeY', 'number', 1024),
      acquireTime: setting(spec, 'acquireTime', 'number', 0.1),
      ...(spec['model'] !== undefined ? { model: setting<string>(spec, 'model', 'string') } : {}),
      ...(spec['manufacturer'] !== undefined ? { manufacturer: setting<string>(spec, 'manufacturer', 'string') } : {}),
      ...(spec['fileRoot'] !== undefined ? { files: { root: setting<string>(spec, 'fileRoot', 'string'), mapPaths: true } } : {}),
      ...(spec['detectorModel'] !== undefined ? { detectorModel: setting<string>(spec, 'detectorModel', 'string') } : {}),
      // idle (default) or running: the reference IOC's start-up, continuous acquisition (README).
      start: setting<string>(spec, 'start', 'string', 'idle'),
    }),
  prefixes: (spec) => [String(spec['prefix'])],
  settings: ['prefix', 'sizeX', 'sizeY', 'acquireTime', 'model', 'manufacturer', 'fileRoot', 'detectorModel', 'start'],
  meaning: (spec) => detectorMeaning(setting(spec, 'prefix', 'string'), ...(spec['detectorModel'] !== undefined ? [setting<string>(spec, 'detectorModel', 'string')] : [])),
});

/** Record fields a motor spec may set directly (the rest of the spec is simulation settings). */
const MOTOR_FIELDS = ['VELO', 'VBAS', 'VMAX', 'ACCL', 'MRES', 'PREC', 'EGU', 'DESC', 'DIR', 'OFF', 'DHLM', 'DLLM', 'HOPR', 'LOPR', 'BDST', 'BVEL', 'BACC', 'HVEL', 'JVEL', 'JAR', 'TWV', 'RDBD', 'RTRY', 'HLSV'] as const;
/** Fields whose changes the recorder should always see (their PVs exist from the start). */
const MOTOR_WATCHED = ['RBV', 'DMOV', 'MOVN', 'LVIO', 'HLS', 'LLS', 'SET', 'OFF', 'STOP'];

registerDeviceKind('motor', {
  create: ({ db, records }, spec) => {
    const pv = setting<string>(spec, 'pv', 'string');
    const settings: Record<string, unknown> = {};
    for (const f of MOTOR_FIELDS) if (spec[f] !== undefined) settings[f] = spec[f];
    const limits = setting<number[]>(spec, 'hardLimits', 'array', []);
    if (limits.length === 2) {
      settings['lowLimitSwitch'] = Math.min(limits[0]!, limits[1]!);
      settings['highLimitSwitch'] = Math.max(limits[0]!, limits[1]!);
    }
    const position = setting(spec, 'position', 'number', 0);
    settings['start'] = position;
    settings['updatePeriodMs'] = setting(spec, 'updatePeriod', 'number', 0.1) * 1000;
    const motor = createSimMotor(records, pv, settings as SimMotorSettings);
    db.lookup(pv);
    for (const f of MOTOR_WATCHED) db.lookup(`${pv}.${f}`);
    return {
      reset: () => motor.teleport(position),
      stop: () => motor.stop(),
    };
  },
  prefixes: (spec) => [String(spec['pv'])],
  settings: ['pv', ...MOTOR_FIELDS, 'hardLimits', 'position', 'updatePeriod'],
  meaning: (spec) => motorMeaning(setting(spec, 'pv', 'string')),
});
