import { afterEach, describe, expect, it } from 'vitest';
import type { POP3Server } from '@mail/pop3/server';
import { RawClient } from '@mail/test-servers';
import { MemoryMailbox, startPOP3 } from './helpers.js';

let server: POP3Server | undefined;
afterEach(async () => {
  RawClient.closeAll();
  await server?.close();
  server = undefined;
});

const never = (): Promise<never> => new Promise<never>(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A maildrop whose chosen calls never settle the first time (or every time). */
class HangingMailbox extends MemoryMailbox {
  hangList = 0;
  hangRead = 0;
  /** Yield one chunk, then hang (once). */
  hangReadAfterFirst = 0;
  hangDelete = false;

  constructor() {
    super(
      new Map([
        ['uid-1', Buffer.from('Subject: one\r\n\r\nbody 1\r\n')],
        ['uid-2', Buffer.from('Subject: two\r\n\r\nbody 2\r\n')],
      ]),
    );
  }

  override list() {
    if (this.hangList-- > 0) return never();
    return super.list();
  }

  override async *read(uid: string) {
    if (this.hangRead-- > 0) await never();
    const inner = super.read(uid);
    let first = true;
    for await (const chunk of inner) {
      yield chunk;
      if (first && this.hangReadAfterFirst-- > 0) await never();
      first = false;
    }
  }

  override delete(uids: string[]) {
    return this.hangDelete ? never() : super.delete(uids);
  }
}

async function open(alice: MemoryMailbox, options: Parameters<typeof startPOP3>[1] = {}) {
  const started = await startPOP3({ alice }, { hookTimeout: 50, allowInsecureAuth: true, ...options });
  server = started.server;
  const client = await RawClient.open(started.port);
  expect(await client.line()).toMatch(/^\+OK POP3 server ready/);
  return { ...started, client };
}

async function login(client: RawClient): Promise<string> {
  client.write('USER alice\r\nPASS secret-1\r\n');
  expect(await client.line()).toBe('+OK Send PASS\r\n');
  return client.line();
}

describe('POP3 server hookTimeout', () => {
  it('a timed-out openMailbox is not a login; the lock is released and a retry logs in', async () => {
    const alice = new HangingMailbox();
    const signals: AbortSignal[] = [];
    let calls = 0;
    const { client, logs } = await open(alice, {
      openMailbox(_user, _session, signal) {
        signals.push(signal);
        return ++calls === 1 ? never() : alice;
      },
    });
    expect(await login(client)).toBe('-ERR [SYS/TEMP] Timeout opening mailbox, try again later\r\n');
    expect(signals[0]!.aborted).toBe(true);
    client.write('STAT\r\n');
    expect(await client.line()).toBe('-ERR Unknown command or not allowed before login\r\n');
    expect(await login(client)).toBe('+OK Logged in, 2 messages (48 octets)\r\n');
    expect(logs.some((l) => /^pop3#\d+ openMailbox hook timed out after 50 ms$/.test(l))).toBe(true);
    expect(logs.join('\n')).not.toContain('secret-1');
  });

  it('closes a mailbox that openMailbox resolves after the deadline, and sends nothing more', async () => {
    const alice = new HangingMailbox();
    const { client } = await open(alice, { openMailbox: () => sleep(120).then(() => alice) });
    expect(await login(client)).toBe('-ERR [SYS/TEMP] Timeout opening mailbox, try again later\r\n');
    await sleep(200);
    expect(alice.closed).toBe(1);
    client.write('QUIT\r\n');
    expect(await client.line()).toBe('+OK pop.test POP3 server signing off\r\n');
    expect(await client.waitClosed()).toBe('');
  });

  it('a list() that never settles: -ERR [SYS/TEMP], mailbox closed, not logged in', async () => {
    const alice = new HangingMailbox();
    alice.hangList = 1;
    const { client } = await open(alice);
    expect(await login(client)).toBe('-ERR [SYS/TEMP] Timeout opening mailbox, try again later\r\n');
    expect(alice.closed).toBe(1);
    expect(await login(client)).toBe('+OK Logged in, 2 messages (48 octets)\r\n');
  });

  it('RETR whose read never starts: -ERR [SYS/TEMP], nothing lost, deletions only at QUIT', async () => {
    const alice = new HangingMailbox();
    alice.hangRead = 1;
    const { client, logs } = await open(alice);
    expect(await login(client)).toMatch(/^\+OK Logged in/);
    client.write('DELE 1\r\nRETR 2\r\n');
    expect(await client.line()).toBe('+OK Message 1 deleted\r\n');
    expect(await client.line()).toBe('-ERR [SYS/TEMP] Timeout reading message, try again later\r\n');
    expect(logs.some((l) => /read hook timed out after 50 ms$/.test(l))).toBe(true);
    client.write('STAT\r\nRETR 2\r\n');
    expect(await client.line()).toBe('+OK 1 24\r\n');
    expect(await client.until('\r\n.\r\n')).toBe('+OK 24 octets\r\nSubject: two\r\n\r\nbody 2\r\n.\r\n');
    expect(alice.deletedUids).toEqual([]);
    client.write('QUIT\r\n');
    expect(await client.line()).toMatch(/^\+OK .*\(1 messages deleted\)/);
    await client.waitClosed();
    expect(alice.deletedUids).toEqual(['uid-1']);
    expect([...alice.messages.keys()]).toEqual(['uid-2']);
  });

  it('a read that hangs mid-message closes the session without UPDATE: no deletion applied', async () => {
    const alice = new HangingMailbox();
    alice.hangReadAfterFirst = 1;
    const { client } = await open(alice);
    expect(await login(client)).toMatch(/^\+OK Logged in/);
    client.write('DELE 1\r\nRETR 2\r\n');
    expect(await client.line()).toBe('+OK Message 1 deleted\r\n');
    // The listing started and cannot be ended honestly: the connection closes instead.
    const rest = await client.waitClosed();
    expect(rest.startsWith('+OK 24 octets\r\n')).toBe(true);
    expect(rest).not.toContain('\r\n.\r\n');
    expect(alice.deletedUids).toEqual([]);
    expect(alice.messages.size).toBe(2);
    for (let i = 0; i < 50 && alice.closed === 0; i++) await sleep(10);
    expect(alice.closed).toBe(1);
  });

  it('a delete() that never settles at QUIT: -ERR [SYS/TEMP] and the session ends', async () => {
    const alice = new HangingMailbox();
    alice.hangDelete = true;
    const { client, logs } = await open(alice);
    expect(await login(client)).toMatch(/^\+OK Logged in/);
    client.write('DELE 2\r\nQUIT\r\n');
    expect(await client.line()).toBe('+OK Message 2 deleted\r\n');
    expect(await client.line()).toBe('-ERR [SYS/TEMP] Some deleted messages not removed, try again later\r\n');
    expect(await client.waitClosed()).toBe('');
    expect(logs.some((l) => /delete hook timed out after 50 ms$/.test(l))).toBe(true);
    expect(alice.closed).toBe(1);
  });

  it('hookTimeout 0 means no limit', async () => {
    const alice = new HangingMailbox();
    const { client } = await open(alice, { hookTimeout: 0, openMailbox: () => sleep(120).then(() => alice) });
    expect(await login(client)).toBe('+OK Logged in, 2 messages (48 octets)\r\n');
  });

  it('refuses a negative or NaN hookTimeout', async () => {
    await expect(startPOP3({}, { hookTimeout: -5 })).rejects.toThrow(/hookTimeout/);
    await expect(startPOP3({}, { hookTimeout: Number.NaN })).rejects.toThrow(/hookTimeout/);
  });
});
