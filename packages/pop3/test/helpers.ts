// Shared helpers for the integration tests against the fake server.
import { afterEach } from 'vitest';
import { FakeServer, type FakeServerOptions } from '@mail/test-servers';
import { POP3, type POP3ConnectOptions } from '../src/index.js';

const servers: FakeServer[] = [];
const clients: POP3[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a fake POP3 server, closed after the test. */
export async function fakeServer(opts: Omit<FakeServerOptions, 'protocol'> = {}): Promise<FakeServer> {
  const server = await FakeServer.start({ protocol: 'pop3', ...opts });
  servers.push(server);
  return server;
}

/** Connects our client to `server` with its CA and short deadlines; closed after the test. */
export async function connectTo(server: FakeServer, extra: Partial<POP3ConnectOptions> = {}): Promise<POP3> {
  const pop = await POP3.connect({
    host: '127.0.0.1',
    port: server.port,
    security: server.security,
    tls: { ca: server.ca },
    allowPlaintextAuth: server.security === 'none',
    timeout: 5000,
    ...extra,
  });
  clients.push(pop);
  return pop;
}

/** Message contents used across tests (CRLF line endings, one with dot-leading lines). */
export const MAIL1 = 'Subject: one\r\n\r\nline 1\r\n.starts with dot\r\n..two dots\r\n.\r\nline 5\r\n';
export const MAIL2 = 'Subject: two\r\n\r\nbody\r\n';

/** Error thrown by `promise`, failing the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
