import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { directReads } from './socket-reads.js';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A loopback server that writes `payload` to each connection and ends it. */
async function serve(payload: Buffer): Promise<number> {
  const server = net.createServer((c) => c.end(payload));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

function connect(port: number): net.Socket {
  const reads = directReads();
  const socket = net.connect({ host: '127.0.0.1', port, onread: reads.onread });
  reads.bind(socket);
  sockets.push(socket);
  return socket;
}

async function collect(socket: net.Socket): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'end');
  return chunks;
}

describe('directReads', () => {
  it('delivers every byte in order, and chunks stay intact after later reads', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024 + 123);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 12)) & 0xff;
    const chunks = await collect(connect(await serve(payload)));
    // Compared after the whole transfer: a reused read buffer would have overwritten chunks.
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });

  it('copies short reads out, so a held short read does not keep a 64 KiB buffer alive', async () => {
    const chunks = await collect(connect(await serve(Buffer.from('+OK hello\r\n'))));
    expect(Buffer.concat(chunks).toString()).toBe('+OK hello\r\n');
    for (const c of chunks) expect(c.buffer.byteLength).toBeLessThan(64 * 1024);
  });

  it('buffers reads made before anyone listens (readableLength counts them) and hands them out later', async () => {
    const socket = connect(await serve(Buffer.from('early bytes')));
    for (let i = 0; i < 200 && socket.readableLength === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(socket.readableLength).toBe('early bytes'.length);
    const chunks = await collect(socket);
    expect(Buffer.concat(chunks).toString()).toBe('early bytes');
  });
});
