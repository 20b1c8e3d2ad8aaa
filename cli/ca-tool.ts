// Shared plumbing of the CA and PVA tool commands (get, put, monitor, info, reset, pv*): their common
// options, and a client that is imported only when the command runs (not for --help).
import type { Argv } from 'yargs';
import { seconds } from './options.js';
import type { CaClient, Channel } from '../ioc/ca/client/client.js';
import { CaError } from '../ioc/ca/client/errors.js';
import type { CliIo } from './io.js';

/** --timeout/-w as caget has it (EPICS_CLI_TIMEOUT, default 1 s). */
export function timeoutOption<T>(y: Argv<T>) {
  const env = Number(process.env['EPICS_CLI_TIMEOUT']);
  return y.option('timeout', {
    alias: 'w',
    type: 'number',
    coerce: seconds('-w/--timeout'),
    default: Number.isFinite(env) && env > 0 ? env : 1,
    describe: 'Seconds to wait for channels and replies',
  });
}

/** `<pvs..>` and -w: what every tool taking several PV names starts from. */
export function pvsOptions<T>(y: Argv<T>) {
  return timeoutOption(y.positional('pvs', { type: 'string', array: true, demandOption: true, describe: 'PV names' }));
}

/** `<pv> <values..>` and -w: what the put tools start from. */
export function pvValuesOptions<T>(y: Argv<T>, values: string) {
  return timeoutOption(
    y.positional('pv', { type: 'string', demandOption: true, describe: 'PV name' }).positional('values', { type: 'string', array: true, demandOption: true, describe: values }),
  );
}

/** --json, saying what is printed as JSON. */
export function jsonOption<T>(y: Argv<T>, what: string) {
  return y.option('json', { type: 'boolean', default: false, describe: what });
}

/** A client from the EPICS_CA_* environment, closed when `fn` settles. */
export async function withClient<R>(timeout: number, fn: (client: CaClient) => Promise<R>): Promise<R> {
  const { CaClient } = await import('../ioc/ca/client/client.js');
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

/** `connectAll`, with caget's line on stderr for the names that did not connect. */
export async function connectReporting(client: CaClient, names: readonly string[], timeout: number, io: CliIo) {
  const conns = await connectAll(client, names, timeout);
  const missing = conns.filter((c) => !c.ok).map((c) => c.ch.name);
  if (missing.length) io.stderr.write(`${notFoundMessage(missing)}\n`);
  return { conns, missing };
}

/** One channel, connected; undefined (after caget's line on stderr) when it did not connect in time. */
export async function connectOne(client: CaClient, name: string, timeout: number, io: CliIo): Promise<Channel | undefined> {
  const [{ ch, ok }] = (await connectReporting(client, [name], timeout, io)).conns as [{ ch: Channel; ok: boolean }];
  return ok ? ch : undefined;
}

export function notFoundMessage(names: readonly string[]): string {
  return names.length > 1 ? 'Channel connect timed out: some PV(s) not found.' : `Channel connect timed out: '${names[0]}' not found.`;
}
