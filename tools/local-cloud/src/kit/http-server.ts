import type { Server as HttpServer } from 'node:http';
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

/** An HTTP server of a local service, listening on loopback. */
export interface LoopbackHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /**
   * Stops listening and cuts the connections still open: the SDK keeps its connections alive, and
   * `server.close()` alone would wait for them. Closing again answers the first close, since a
   * service may be stopped twice (a test's cleanup after the test stopped it).
   */
  close(): Promise<void>;
}

export async function serveOnLoopback(
  server: HttpServer,
  options: { port?: number; host?: string } = {},
): Promise<LoopbackHttpServer> {
  const { address, port } = await listenOnLoopback(server, options.port, options.host);
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${address}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
