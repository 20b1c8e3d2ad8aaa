import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { serveCommand } from '../../cli/commands/serve.js';

async function listPvs(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['serve', '--list-pvs', ...args], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, [serveCommand]);
  return { code, names: out.split('\n').filter(Boolean), err };
}

describe('serve --list-pvs', () => {
  it('lists every field of every motor record, not only the ones registered at start-up', async () => {
    const { code, names, err } = await listPvs();
    expect(code).toBe(0);
    const m = 'XF:11BMB-ES{BS-Ax:X}Mtr';
    for (const f of ['VAL', 'RBV', 'DMOV', 'VELO', 'HLM', 'LLM', 'EGU', 'DESC', 'TWV', 'SPMG']) expect(names, `${m}.${f}`).toContain(`${m}.${f}`);
    expect(names).toEqual([...new Set(names)].sort());
    expect(err).toMatch(/^beamtwin: the catch-all also answers any other name starting XF:11BM/);
  });

  it('--strict: no catch-all to mention', async () => {
    const { code, err } = await listPvs('--strict');
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
