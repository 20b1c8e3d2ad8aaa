import path from 'node:path';
import type { Clock } from '../../ioc/clock.js';
import { pythonHookDir, type LineTracing } from './tracing.js';

/** A twin clock shared with a Python command (harness/stall-meter.ts keeps the file current). */
export interface ClockShare {
  /**
   * 48 bytes (layout in harness/stall-meter.ts): first a little-endian float64, how far (twin seconds)
   * the twin stands behind the scaled wall clock, leaving out the command's own waits for a CPU (the
   * command subtracts those itself) and the twin's busy time since the counters that follow.
   */
  readonly file: string;
  /** The wall-clock instant (POSIX ms) where the scaled wall clock starts: see `clockOrigin`. */
  readonly origin: number;
  /** The schedstat file of the twin's thread: the command holds its clocks by the twin's busy time. */
  readonly twinStat?: string;
}

/**
 * Environment for a command run against a twin: Python's start-up hook (recorder/python) when lines are
 * traced, the twin runs faster than real time, or the twin shares its clock (`share`), so the command's
 * clocks are the twin's: they run at its speed and stand still when it stands still.
 * Empty when none applies (the command starts exactly as it would on its own).
 *
 * Twin time, as the hook computes it: `O + (wall − O)·speed − offset`, with `O` = BEAMTWIN_CLOCK_ORIGIN
 * and `offset` the stall meter's holds: those in the shared file, the main thread's own run-queue wait
 * × speed, and work since the meter's last sample × (speed − 1) (harness/stall-meter.ts; 0 without a
 * share).
 */
export function pythonHookEnv(base: NodeJS.ProcessEnv, clock: Clock, speed: number, tracing?: LineTracing, share?: ClockShare): Record<string, string> {
  if (!tracing && speed === 1 && !share) return {};
  const py = base['PYTHONPATH'];
  const env: Record<string, string> = { ...tracing?.env(), PYTHONPATH: py ? `${pythonHookDir()}${path.delimiter}${py}` : pythonHookDir() };
  if (speed !== 1 || share) {
    env['BEAMTWIN_SPEED'] = String(speed);
    env['BEAMTWIN_CLOCK_ORIGIN'] = ((share?.origin ?? clockOrigin(clock, speed)) / 1000).toFixed(6);
  }
  if (share) env['BEAMTWIN_CLOCK_OFFSET_FILE'] = share.file;
  if (share?.twinStat && speed !== 1) env['BEAMTWIN_TWIN_SCHEDSTAT'] = share.twinStat;
  return env;
}

/**
 * The wall-clock instant O (POSIX ms) where the scaled wall clock O + (wall − O)·speed agrees with the
 * twin now; at speed 1 every O would do and 0 is taken (the twin's offset from the wall is then shared).
 */
export function clockOrigin(clock: Clock, speed: number): number {
  return speed === 1 ? 0 : (clock.now() - Date.now() * speed) / (1 - speed);
}
