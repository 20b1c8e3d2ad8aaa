// Shared plumbing of the CA tool commands (get, put, monitor, info).
import type { Argv } from 'yargs';
import { seconds } from './options.js';
import { CaClient, type Channel } from '../ioc/ca/client/client.js';
import { CaError } from '../ioc/ca/client/errors.js';

export interface ToolArgs {
  timeout: number;
}

/** --timeout/-w as caget has it (EPICS_CLI_TIMEOUT, default 1 s). */
export function timeoutOption<T>(y: Argv<T>): Argv<T & ToolArgs> {
  const env = Number(process.env['EPICS_CLI_TIMEOUT']);
  return y.option('timeout', {
    alias: 'w',
    type: 'number',
    coerce: seconds('-w/--timeout'),
    default: Number.isFinite(env) && env > 0 ? env : 1,
    describe: 'Seconds to wait for channels and replies',
  }) as Argv<T & ToolArgs>;
}

/** A client from the EPICS_CA_* environment, closed when `fn` settles. */
export async function withClient<R>(timeout: number, fn: (client: CaClient) => Promise<R>): Promise<R> {
  const client = new CaClient({ timeout });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Connect all channels at once; the ones that did not connect in time are reported, not thrown. */
export async function connectAll(client: CaClient, names: readonly string[], timeout: number): Promise<{ ch: Channel; ok: boolean }[]> {
  const chs = names.map((n) => client.channel(n));
  const results = await Promise.allSettled(chs.map((c) => c.connected(timeout)));
  return chs.map((ch, i) => {
    const r = results[i]!;
    if (r.status === 'rejected' && !(r.reason instanceof CaError)) throw r.reason;
    return { ch, ok: r.status === 'fulfilled' };
  });
}

export function notFoundMessage(names: readonly string[]): string {
  return names.length > 1 ? 'Channel connect timed out: some PV(s) not found.' : `Channel connect timed out: '${names[0]}' not found.`;
}
