import { UsageError } from './io.js';

/**
 * The queue executor and worker (`eval --queue`, `worker`). They need the optional packages bullmq and
 * ioredis, which nothing else loads; without them the command is refused in one line (exit 2).
 */
export async function loadQueue(): Promise<typeof import('../harness/eval/queue.js')> {
  try {
    // bullmq loads ioredis only when it connects: ask for both now, so a missing one is refused here.
    const [queue] = await Promise.all([import('../harness/eval/queue.js'), import('ioredis')]);
    return queue;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = /Cannot find (?:package|module) '(bullmq|ioredis)'/.exec(err.message ?? '')?.[1];
    if (err.code === 'ERR_MODULE_NOT_FOUND' && missing) {
      throw new UsageError(`the Redis queue needs the optional package ${missing}: npm install bullmq ioredis`);
    }
    throw e;
  }
}
