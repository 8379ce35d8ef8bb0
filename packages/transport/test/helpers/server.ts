// Minimal scripted servers on 127.0.0.1 port 0 for the transport tests.
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';

export interface TestServer {
  port: number;
  /** Every accepted (raw) socket. */
  sockets: net.Socket[];
  /** Resolves with the next accepted socket. */
  accepted(): Promise<net.Socket>;
  close(): Promise<void>;
}

/** A plain TCP server; `onSocket` scripts each accepted socket. */
export async function startServer(onSocket: (socket: net.Socket) => void = () => undefined): Promise<TestServer> {
  const sockets: net.Socket[] = [];
  const unclaimed: net.Socket[] = [];
  const waiting: Array<(s: net.Socket) => void> = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    // Consume input like a real server (so our FIN is seen); scripts may pause().
    socket.resume();
    onSocket(socket);
    const waiter = waiting.shift();
    if (waiter) waiter(socket);
    else unclaimed.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    accepted: () => new Promise((resolve) => {
      const next = unclaimed.shift();
      if (next) resolve(next);
      else waiting.push(resolve);
    }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An implicit-TLS server with `pair`; `onSocket` scripts each secure socket. */
export async function startTLSServer(pair: { key: string; cert: string }, onSocket: (socket: tls.TLSSocket) => void = () => undefined): Promise<TestServer> {
  const sockets: net.Socket[] = [];
  const server = tls.createServer({ key: pair.key, cert: pair.cert }, (socket) => {
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.on('connection', (raw: net.Socket) => {
    sockets.push(raw);
    raw.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    accepted: () => Promise.reject(new Error('not supported')),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Collects everything a socket receives. */
export function collect(socket: Duplex): () => Buffer {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks);
}

/** Two connected in-memory duplexes (Node 20 has no stream.duplexPair). */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
    });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
