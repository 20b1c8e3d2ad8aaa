import type { Argv } from 'yargs';
import { port, positive } from '../options.js';
import { defineCommand, type ArgsOf } from '../command.js';
import { commandInfo } from './index.js';
import { webOptions } from '../web-option.js';

/**
 * Serve a twin until SIGINT/SIGTERM. With no profile and no database: the CMS 11-BM profile. With
 * `--profile` and/or `--db`: exactly those.
 */
export const serveCommand = defineCommand(commandInfo.serve, {
  builder: (y: Argv) => serveOptions(y),
  // The servers, devices and profiles load only now: `serve --help` does not pay for them.
  handler: async (args, io) => (await import('../serve-twin.js')).serveTwin(args, io),
});

function serveOptions(y: Argv) {
  return webOptions(y)
    .option('profile', { type: 'string', describe: 'Beamline profile: a built-in name (cms) or a YAML/JSON file' })
    .option('port', { type: 'number', coerce: port, describe: 'UDP search port and preferred TCP port (default EPICS_CAS_SERVER_PORT / EPICS_CA_SERVER_PORT / 5064; 0 = any free)' })
    .option('interface', { type: 'string', array: true, describe: 'Address(es) to bind, e.g. 0.0.0.0 for every interface (default EPICS_CAS_INTF_ADDR_LIST, else loopback only)' })
    .option('strict', { type: 'boolean', default: false, describe: 'No catch-all: names the profile does not serve stay unknown' })
    .option('demo', { type: 'boolean', default: false, describe: 'Also serve the demo:* PVs (one of each type)' })
    .option('list-pvs', { type: 'boolean', default: false, describe: 'Print every served PV name, record fields (NAME.FIELD) included, and exit' })
    .option('speed', { type: 'number', default: 1, coerce: positive('--speed'), describe: 'Run simulated dynamics this many times faster than real time' })
    .option('db', { type: 'string', array: true, describe: 'EPICS database file(s) to serve as records' })
    .option('macros', { type: 'string', describe: 'Macros for the --db and --substitutions files, e.g. "P=BL13:,R=cam1:"' })
    .option('substitutions', { type: 'string', array: true, describe: 'EPICS substitutions file(s) expanding templates into records' })
    .option('pva', { type: 'boolean', default: true, describe: 'Also serve every PV over pvAccess (EPICS_PVAS_* / EPICS_PVA_*; --port 0 takes free PVA ports too)' });
}

export type ServeArgs = ArgsOf<typeof serveOptions>;
