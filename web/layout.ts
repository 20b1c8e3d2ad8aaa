// What the page shows, derived from a beamline profile: one panel per device of the profile, each naming
// the PVs it displays. Nothing here is per beamline; a new profile gets its panels for free.
import { recordPrefix } from '../devices/areadetector/detector.js';
import type { Profile } from '../devices/profile/profile.js';
import type { Layout, Panel } from './protocol.js';

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/** Panels for every device kind the page knows; devices of other kinds are reachable through PV search. */
export function layoutOf(profile: Profile): Layout {
  const panels: Panel[] = [];
  profile.devices.forEach((spec, i) => {
    const d = { ...(profile.defaults?.[spec.kind] ?? {}), ...spec };
    const name = str(d['name'], `${d.kind}${i + 1}`);
    switch (d.kind) {
      case 'motor': {
        const pv = str(d['pv']);
        panels.push({ kind: 'motor', name, desc: str(d['DESC']), pv, rbv: `${pv}.RBV`, dmov: `${pv}.DMOV`, hls: `${pv}.HLS`, lls: `${pv}.LLS`, lvio: `${pv}.LVIO`, egu: `${pv}.EGU` });
        break;
      }
      case 'areaDetector': {
        const prefix = str(d['prefix']);
        const cam = recordPrefix(prefix, 'cam1:');
        panels.push({
          kind: 'detector',
          name,
          prefix,
          state: `${cam}DetectorState_RBV`,
          acquire: `${cam}Acquire`,
          counter: `${cam}ArrayCounter_RBV`,
          acquireTime: `${cam}AcquireTime`,
          numImages: `${cam}NumImages`,
          arrayData: `${recordPrefix(prefix, 'image1:')}ArrayData`,
          sizeX: `${cam}ArraySizeX_RBV`,
          sizeY: `${cam}ArraySizeY_RBV`,
        });
        break;
      }
      case 'linkam': {
        const p = str(d['prefix']);
        panels.push({ kind: 'linkam', name, temp: `${p}TEMP`, setpoint: `${p}SETPOINT:SET`, rampRate: `${p}RAMPRATE:SET`, heat: `${p}STARTHEAT`, status: `${p}STATUS` });
        break;
      }
      case 'shutter':
        panels.push({ kind: 'shutter', name, pv: str(d['pv']), blades: Array.isArray(d['blades']) ? d['blades'].map(String) : [] });
        break;
    }
  });
  const control = profile.controlPrefix ?? 'beamtwin:';
  return {
    profile: profile.name,
    description: profile.description ?? '',
    panels,
    control: { reset: `${control}reset`, marker: `${control}marker` },
    tracked: profile.tracked ?? [],
  };
}

/** Every scalar PV the panels show live (the image waveform is streamed apart, as pictures). */
export function watchedNames(layout: Layout): string[] {
  const names: string[] = [];
  for (const p of layout.panels) {
    switch (p.kind) {
      case 'motor':
        names.push(p.pv, p.rbv, p.dmov, p.hls, p.lls, p.lvio, p.egu);
        break;
      case 'detector':
        names.push(p.state, p.acquire, p.counter, p.acquireTime, p.numImages);
        break;
      case 'linkam':
        names.push(p.temp, p.setpoint, p.rampRate, p.heat, p.status);
        break;
      case 'shutter':
        names.push(p.pv, ...p.blades);
        break;
    }
  }
  return names;
}
