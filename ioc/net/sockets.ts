// Socket plumbing both protocol servers share (their wire logic stays in the sans-I/O cores).
import type dgram from 'node:dgram';
import type net from 'node:net';

/** Listen on host:port (0 = any free port); resolves with the port taken. */
export function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Close listeners and UDP sockets, also ones that never bound (after a failed start); empties both lists. */
export async function closeAll(tcp: net.Server[], udp: dgram.Socket[]): Promise<void> {
  await Promise.all(tcp.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await Promise.all(
    udp.map(
      (s) =>
        new Promise<void>((r) => {
          try {
            s.close(() => r());
          } catch {
            r();
          }
        }),
    ),
  );
  tcp.length = 0;
  udp.length = 0;
}
