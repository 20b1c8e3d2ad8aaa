import type { PvaReader } from './reader.js';
import type { PvaWriter } from './writer.js';

/**
 * Addresses travel as 16-byte IPv6; IPv4 as ::ffff:a.b.c.d. The wildcard means "the address this came
 * from": a pvxs server writes it as ::ffff:0.0.0.0, a pvxs client's search as all zeros (`zeroWildcard`).
 */
export function writeAddress(w: PvaWriter, ipv4: string, zeroWildcard = false): void {
  const parts = ipv4.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255)) || (zeroWildcard && ipv4 === '0.0.0.0')) {
    for (let i = 0; i < 16; i++) w.u8(0);
    return;
  }
  for (let i = 0; i < 10; i++) w.u8(0);
  w.u8(0xff).u8(0xff);
  for (const p of parts) w.u8(p);
}

/** The IPv4 address, '0.0.0.0' for all zeros (or any IPv6 address we do not route). */
export function readAddress(r: PvaReader): string {
  const b = r.bytes(16);
  if (b.length < 16) return '0.0.0.0';
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? `${b[12]}.${b[13]}.${b[14]}.${b[15]}` : '0.0.0.0';
}
