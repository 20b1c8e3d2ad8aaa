// Free-port helpers for tests: never the CA defaults (5064/5065), so the suite runs beside real IOCs.
import dgram from 'node:dgram';

/** A UDP port that was free a moment ago on `host` (the kernel picks it; we release it at once). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, host, () => resolve());
  });
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  if (port === 5064 || port === 5065) return freeUdpPort(host);
  return port;
}
