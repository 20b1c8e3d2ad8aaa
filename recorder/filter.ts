/** Match PV names against exact names and `*`/`?` glob patterns. Empty list = everything. */
export function nameMatcher(patterns: readonly string[] | undefined): (name: string) => boolean {
  if (!patterns || patterns.length === 0) return () => true;
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const p of patterns) {
    if (/[*?]/.test(p)) globs.push(new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
    else exact.add(p);
  }
  return (name) => exact.has(name) || globs.some((g) => g.test(name));
}
