// Free loopback ports: bind port 0, read the port, close. Several are held open together so
// they are distinct; the recipe then binds them (a race with other processes is possible,
// startPeer retries with fresh ports when a recipe reports a clash).
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';

/** `count` distinct ports that were free on `host` a moment ago. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const s = createServer();
      servers.push(s);
      s.listen(0, host);
      await once(s, 'listening');
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
