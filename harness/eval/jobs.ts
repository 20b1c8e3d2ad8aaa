import os from 'node:os';

/** How many twins run at once by default: one per core (`--jobs` overrides). */
export function defaultJobs(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
