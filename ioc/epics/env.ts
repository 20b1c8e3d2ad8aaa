// Reading EPICS environment variables the way EPICS tools do, for both protocols' configurations.

/** Environment as EPICS tools read it. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface AddrPort {
  readonly host: string;
  readonly port: number;
}

/** "host[:port] host2 …" → list; entries without a port get `defaultPort`. */
export function parseAddrList(text: string | undefined, defaultPort: number): AddrPort[] {
  if (!text) return [];
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((entry) => {
      const m = /^(.*):(\d+)$/.exec(entry);
      return m ? { host: m[1]!, port: Number(m[2]) } : { host: entry, port: defaultPort };
    });
}

/** A YES/NO variable; unset or empty gives `dflt`. */
export const envYes = (v: string | undefined, dflt: boolean): boolean => (v === undefined || v === '' ? dflt : /^(y|yes|true|1)$/i.test(v.trim()));

/** A numeric variable; unset, empty or not a number gives `dflt`. */
export const envNum = (v: string | undefined, dflt: number): number => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) ? n : dflt;
};
