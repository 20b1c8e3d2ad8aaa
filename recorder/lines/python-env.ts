import path from 'node:path';
import type { Clock } from '../../ioc/clock.js';
import { pythonHookDir, type LineTracing } from './tracing.js';

/**
 * Environment for a command run against a twin: Python's start-up hook (recorder/python) when lines are
 * traced or the twin runs faster than real time, so the command's clocks run at the twin's speed.
 * Empty when neither applies (the command starts exactly as it would on its own).
 */
export function pythonHookEnv(base: NodeJS.ProcessEnv, clock: Clock, speed: number, tracing?: LineTracing): Record<string, string> {
  if (!tracing && speed === 1) return {};
  const py = base['PYTHONPATH'];
  const env: Record<string, string> = { ...tracing?.env(), PYTHONPATH: py ? `${pythonHookDir()}${path.delimiter}${py}` : pythonHookDir() };
  if (speed !== 1) {
    // The wall-clock instant where twin time and wall time agree: twin = O + (wall − O)·speed.
    const wall = Date.now();
    const origin = (clock.now() - wall * speed) / (1 - speed);
    env['BEAMTWIN_SPEED'] = String(speed);
    env['BEAMTWIN_CLOCK_ORIGIN'] = (origin / 1000).toFixed(6);
  }
  return env;
}
