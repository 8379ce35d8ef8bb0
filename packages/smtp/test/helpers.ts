// Shared helpers of the fake-server tests: start servers on port 0 and always close them.
import { afterEach } from 'vitest';
import { FakeServer, type FakeServerOptions } from '@mail/test-servers';
import { SMTP, type SMTPConnectOptions } from '../src/index.js';

const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
});

/** A fake SMTP server closed after the test. */
export async function fake(options: Partial<FakeServerOptions> = {}): Promise<FakeServer> {
  const server = await FakeServer.start({ protocol: 'smtp', ...options });
  open.push(server);
  return server;
}

/** An SMTP client of `server` (plaintext unless the server uses TLS), closed after the test. */
export async function client(server: FakeServer, options: Partial<SMTPConnectOptions> = {}): Promise<SMTP> {
  const security = server.security;
  const smtp = await SMTP.connect({
    host: server.host, port: server.port, security, localName: 'client.test', timeout: 5000,
    tls: { ca: server.ca }, ...options,
  });
  open.push(smtp);
  return smtp;
}

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; transient?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection, got a result');
}

/** The socket reads the server saw on connection `n` that contain `needle`. */
export function readsWith(server: FakeServer, needle: string, n = 1): string[] {
  return (server.sessions[n - 1]?.chunks ?? []).map((c) => c.data.toString('utf8')).filter((d) => d.includes(needle));
}

export const noChunking = ['PIPELINING', 'SIZE 10485760', '8BITMIME', 'SMTPUTF8', 'DSN', 'ENHANCEDSTATUSCODES', 'AUTH PLAIN LOGIN CRAM-MD5'];
