#!/usr/bin/env node
import { runCli } from './run-cli.js';

// `beamtwin serve --list-pvs | head`: a closed pipe ends the listing, not with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
