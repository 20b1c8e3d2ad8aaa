// Point this process's EPICS clients (the CLI tools run in-process by the tests) at a test server, and
// put the caller's environment back afterwards.

/** Set `vars` in process.env; the returned function restores what was there (or its absence). */
export function setEnv(vars: Record<string, string>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
