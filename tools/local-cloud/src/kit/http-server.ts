import type { AddressInfo, Server } from 'node:net';

/** Starts `server` on loopback (port 0: any free one) and returns the address it got. */
export async function listenOnLoopback(server: Server, port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
