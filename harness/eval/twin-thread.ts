// A twin thread of `beamtwin eval` (see twin-threads.ts): runs one command in a fresh twin per message.
import { parentPort } from 'node:worker_threads';
import { runCommandJob, type CommandJob } from './command-job.js';
import type { ThreadReply, ThreadRequest } from './twin-threads.js';

const port = parentPort!;
const forwards = new Set<(sig: NodeJS.Signals) => void>();
// Signals reach the main thread only: it passes SIGINT/SIGTERM on, for the running command's group.
const signals = (forward: (sig: NodeJS.Signals) => void) => {
  forwards.add(forward);
  return () => forwards.delete(forward);
};
const reply = (m: ThreadReply) => port.postMessage(m);

port.on('message', (m: ThreadRequest) => {
  if (m.type === 'signal') {
    for (const f of forwards) f(m.signal);
    return;
  }
  const job: CommandJob = m.job;
  runCommandJob(job, (s) => reply({ type: 'output', id: m.id, text: s }), signals).then(
    (result) => reply({ type: 'done', id: m.id, result }),
    (e: Error & { code?: string; syscall?: string }) =>
      reply({ type: 'error', id: m.id, error: { message: e.message, name: e.name, ...(e.code ? { code: e.code } : {}), ...(e.syscall ? { syscall: e.syscall } : {}) } }),
  );
});
