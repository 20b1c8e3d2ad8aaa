// `--web PORT` (and `--web-interface ADDR`) as serve, run, validate and view take them.
import type { Argv } from 'yargs';
import { CommandFailed, UsageError, type CliIo } from './io.js';
import type { WebView, WebViewOptions } from '../web/server.js';

export interface WebArgs {
  web?: number;
  'web-interface'?: string;
}

export function webOptions<T>(y: Argv<T>) {
  return y
    .option('web', { type: 'number', describe: 'Also serve a live web view on this TCP port (0 = any free port)' })
    .option('web-interface', { type: 'string', describe: 'Address the web view binds (default 127.0.0.1: this machine only)' });
}

/** Start the web view when asked (`--web`), say where it is; a port that cannot be had is a one-line failure. */
export async function startWebFromArgs(args: WebArgs, what: Omit<WebViewOptions, 'port' | 'host'>, io: CliIo, required = false): Promise<WebView | undefined> {
  if (args.web === undefined && !required) return undefined;
  const port = args.web ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--web takes a TCP port number (0 = any free port)');
  // Loaded on use: commands without --web do not pay for the web view.
  const { startWebView } = await import('../web/server.js');
  try {
    const view = await startWebView({ ...what, port, ...(args['web-interface'] ? { host: args['web-interface'] } : {}) });
    io.stderr.write(`beamtwin: web view at ${view.url}\n`);
    return view;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code !== 'string') throw e;
    throw new CommandFailed(`cannot serve the web view on ${args['web-interface'] ?? '127.0.0.1'} port ${port}: ${err.message}`);
  }
}
