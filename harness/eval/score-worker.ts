// The scoring thread of `beamtwin eval` (see scorer.ts): scores one finished task per message.
import { parentPort } from 'node:worker_threads';
import { scoreTaskRun } from './score.js';
import { traceName, type ScoreReply, type ScoreRequest } from './scorer.js';

parentPort!.on('message', (m: ScoreRequest) => {
  let reply: ScoreReply;
  try {
    reply = { id: m.id, scored: scoreTaskRun(m.task, m.run, m.profile, traceName) };
  } catch (e) {
    reply = { id: m.id, error: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
