// Shared by every promise file: fake servers and clients that are always closed after each
// test, with short deadlines so that a hostile server costs milliseconds, not minutes.
import { afterEach } from 'vitest';
import { POP3, type POP3ConnectOptions } from '@mail/pop3';
import { SMTP, type SMTPConnectOptions } from '@mail/smtp';
import { FakeServer, type FakeServerOptions } from '@mail/test-servers';

/** The security modes of RFC 8314 that every client supports. */
export type Mode = 'none' | 'tls' | 'starttls';
export const MODES: readonly Mode[] = ['none', 'tls', 'starttls'];

/** Deadline of every phase in the hostile scenarios (ms): short, so stalls are cheap. */
export const SHORT = 300;

const closers: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  // Clients first (so they do not see the server vanish), then servers.
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

/** Closes `thing` after the current test. */
export function track<T extends { close(): Promise<unknown> }>(thing: T): T {
  closers.push(() => thing.close());
  return thing;
}

/** A fake server of `protocol`, closed after the test. */
export async function fakeServer(protocol: 'smtp' | 'pop3', options: Omit<FakeServerOptions, 'protocol'> = {}): Promise<FakeServer> {
  const server = await FakeServer.start({ protocol, ...options });
  closers.unshift(() => server.close());
  return server;
}

/** `POP3.connect` to `server` in its own security mode, trusting its CA, short deadlines. */
export async function pop3To(server: FakeServer, extra: Partial<POP3ConnectOptions> = {}): Promise<POP3> {
  const pop = await POP3.connect({
    host: '127.0.0.1',
    port: server.port,
    security: server.security,
    tls: { ca: server.ca },
    timeout: SHORT,
    ...extra,
  });
  return track(pop);
}

/** `SMTP.connect` to `server` in its own security mode, trusting its CA, short deadlines. */
export async function smtpTo(server: FakeServer, extra: Partial<SMTPConnectOptions> = {}): Promise<SMTP> {
  const smtp = await SMTP.connect({
    host: '127.0.0.1',
    port: server.port,
    security: server.security,
    localName: 'client.test',
    tls: { ca: server.ca },
    timeout: SHORT,
    ...extra,
  });
  return track(smtp);
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; phase?: string; transient?: boolean; cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection, but the call resolved');
}

/** Lines the server read as commands (plaintext or TLS), for transcript assertions. */
export function plaintextCommands(server: FakeServer): string[] {
  return server.commands({ tls: false });
}

/** Commands that carry credentials or personal data: never in plaintext (promise 1). */
export const SECRET_VERBS = /^(AUTH|USER|PASS|APOP|MAIL|RCPT)\b/i;

/** Every application byte the server received on every connection. */
export function allReceived(server: FakeServer): Buffer {
  return Buffer.concat(server.sessions.map((s) => s.received));
}
