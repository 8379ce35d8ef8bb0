import { createHash } from 'node:crypto';
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

function box(): MemoryMailbox {
  return new MemoryMailbox(
    new Map([
      ['uid-1', Buffer.from('Subject: one\r\n\r\nline 1\r\n.dotted\r\nline 3\r\n')],
      ['uid-2', Buffer.from('Subject: two\n\nbare lf body\n.x')],
    ]),
  );
}

async function open(boxes: Record<string, MemoryMailbox>, options: Parameters<typeof startPOP3>[1] = {}, tls = false) {
  const started = await startPOP3(boxes, options);
  server = started.server;
  const client = await RawClient.open(started.port, tls ? { ca: started.ca } : undefined);
  const greeting = await client.line();
  expect(greeting).toMatch(/^\+OK POP3 server ready <\d+\.\d+\.[0-9a-f]+@pop\.test>\r\n$/);
  return { ...started, client, timestamp: /<[^>]+>/.exec(greeting)![0] };
}

describe('POP3 server session', () => {
  it('CAPA before and after STLS; USER refused before TLS', async () => {
    const { client, ca } = await open({ alice: box() });
    client.write('CAPA\r\n');
    const capa = await client.until('\r\n.\r\n');
    expect(capa).toContain('STLS\r\n');
    expect(capa).toContain('PIPELINING\r\n');
    expect(capa).toContain('RESP-CODES\r\n');
    expect(capa).not.toContain('USER');
    client.write('USER alice\r\n');
    expect(await client.line()).toMatch(/^-ERR \[AUTH\] /);
    client.write('STLS\r\n');
    expect(await client.line()).toMatch(/^\+OK/);
    await client.startTLS(ca);
    client.write('CAPA\r\n');
    const after = await client.until('\r\n.\r\n');
    expect(after).not.toContain('STLS');
    expect(after).toContain('SASL SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN\r\n');
    expect(after).toContain('USER\r\n');
  });

  it('pipelined USER/PASS, STAT, LIST, UIDL, RETR (stuffed, LF normalised), TOP, DELE, QUIT', async () => {
    const alice = box();
    const { client, logs } = await open({ alice }, { secure: true }, true);
    client.write('USER alice\r\nPASS secret-1\r\nSTAT\r\nLIST\r\nUIDL 2\r\nRETR 1\r\nRETR 2\r\nTOP 1 1\r\nTOP 2 0\r\nDELE 1\r\nDELE 1\r\nSTAT\r\nLIST 1\r\n');
    expect(await client.line()).toMatch(/^\+OK/);
    expect(await client.line()).toBe('+OK Logged in, 2 messages (70 octets)\r\n');
    expect(await client.line()).toBe('+OK 2 70\r\n');
    expect(await client.until('\r\n.\r\n')).toBe('+OK\r\n1 41\r\n2 29\r\n.\r\n');
    expect(await client.line()).toBe('+OK 2 uid-2\r\n');
    expect(await client.until('\r\n.\r\n')).toBe('+OK 41 octets\r\nSubject: one\r\n\r\nline 1\r\n..dotted\r\nline 3\r\n.\r\n');
    expect(await client.until('\r\n.\r\n')).toBe('+OK 29 octets\r\nSubject: two\r\n\r\nbare lf body\r\n..x\r\n.\r\n');
    expect(await client.until('\r\n.\r\n')).toBe('+OK Top of message follows\r\nSubject: one\r\n\r\nline 1\r\n.\r\n');
    expect(await client.until('\r\n.\r\n')).toBe('+OK Top of message follows\r\nSubject: two\r\n\r\n.\r\n');
    expect(await client.line()).toBe('+OK Message 1 deleted\r\n');
    expect(await client.line()).toMatch(/^-ERR Message already deleted/);
    expect(await client.line()).toBe('+OK 1 29\r\n');
    expect(await client.line()).toMatch(/^-ERR/);
    expect(alice.deletedUids).toEqual([]); // nothing removed before QUIT
    client.write('QUIT\r\n');
    expect(await client.line()).toMatch(/^\+OK .*1 messages deleted/);
    await client.waitClosed();
    expect(alice.deletedUids).toEqual(['uid-1']);
    expect(logs.join('\n')).not.toContain('secret-1');
    expect(logs.join('\n')).toContain('PASS ****');
  });

  it('deletions are not applied when the connection drops, and RSET undoes them', async () => {
    const alice = box();
    const { client, port } = await open({ alice }, { allowInsecureAuth: true });
    client.write('USER alice\r\nPASS secret-1\r\nDELE 1\r\nDELE 2\r\nRSET\r\nDELE 2\r\n');
    for (let i = 0; i < 5; i++) await client.line();
    expect(await client.line()).toMatch(/^\+OK Message 2 deleted/);
    client.close();
    // The lock is released once the server sees the close; a new session can log in.
    const c2 = await RawClient.open(port);
    await c2.line();
    for (let i = 0; i < 50; i++) {
      c2.write('USER alice\r\nPASS secret-1\r\n');
      await c2.line();
      const reply = await c2.line();
      if (reply.startsWith('+OK')) break;
      expect(reply).toMatch(/\[IN-USE\]/);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(alice.deletedUids).toEqual([]);
    expect(alice.closed).toBe(1);
  });

  it('[IN-USE] while another session holds the maildrop', async () => {
    const { client, port } = await open({ alice: box() }, { allowInsecureAuth: true });
    client.write('USER alice\r\nPASS secret-1\r\n');
    await client.line();
    expect(await client.line()).toMatch(/^\+OK Logged in/);
    const c2 = await RawClient.open(port);
    await c2.line();
    c2.write('USER alice\r\nPASS secret-1\r\n');
    await c2.line();
    expect(await c2.line()).toBe('-ERR [IN-USE] Mailbox already in use\r\n');
  });

  it('APOP with the greeting timestamp; wrong digest fails with [AUTH]', async () => {
    const { client, timestamp } = await open({ bob: box() }, { allowInsecureAuth: true });
    client.write('APOP bob 0123456789abcdef0123456789abcdef\r\n');
    expect(await client.line()).toBe('-ERR [AUTH] Authentication failed\r\n');
    const digest = createHash('md5').update(`${timestamp}pässword 2`).digest('hex');
    client.write(`APOP bob ${digest}\r\n`);
    expect(await client.line()).toMatch(/^\+OK Logged in, 2 messages/);
  });

  it('SASL PLAIN with initial response, LOGIN with continuations, and cancel', async () => {
    const { client } = await open({ bob: box() }, { allowInsecureAuth: true });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    client.write('AUTH\r\n');
    expect(await client.until('\r\n.\r\n')).toContain('CRAM-MD5\r\n');
    client.write('AUTH LOGIN\r\n');
    expect(await client.line()).toBe(`+ ${b64('Username:')}\r\n`);
    client.write('*\r\n');
    expect(await client.line()).toMatch(/^-ERR Authentication cancelled/);
    client.write(`AUTH PLAIN ${b64('\0bob\0wrong')}\r\n`);
    expect(await client.line()).toMatch(/^-ERR \[AUTH\]/);
    client.write(`AUTH PLAIN ${b64('\0bob\0pässword 2')}\r\n`);
    expect(await client.line()).toMatch(/^\+OK Logged in/);
  });

  it('[SYS/TEMP] when the mailbox cannot be opened', async () => {
    const { client } = await open({}, { allowInsecureAuth: true });
    client.write('USER alice\r\nPASS secret-1\r\n');
    await client.line();
    expect(await client.line()).toBe('-ERR [SYS/TEMP] Unable to open mailbox\r\n');
  });

  it('discards commands pipelined behind STLS (CVE-2011-0411 class)', async () => {
    const alice = box();
    const { client, ca } = await open({ alice }, { allowInsecureAuth: true });
    client.write('STLS\r\nUSER alice\r\nPASS secret-1\r\nDELE 1\r\nQUIT\r\n');
    expect(await client.line()).toMatch(/^\+OK Begin TLS/);
    await client.startTLS(ca);
    client.write('STAT\r\n');
    // Had the injected login run inside TLS, STAT would succeed.
    expect(await client.line()).toMatch(/^-ERR /);
    expect(alice.deletedUids).toEqual([]);
  });

  it('closes stalled clients and overlong lines', async () => {
    const { client, port } = await open({ alice: box() }, { timeouts: { command: 200 }, limits: { maxLineLength: 100 } });
    expect(await client.waitClosed(3000)).toMatch(/^-ERR Autologout/);
    const c2 = await RawClient.open(port);
    await c2.line();
    c2.write(`NOOP ${'x'.repeat(200)}\r\n`);
    expect(await c2.waitClosed(3000)).toMatch(/^-ERR Line too long/);
  });
});

describe('POP3 server UIDL', () => {
  it('shows a stable RFC 1939 digest for uids that are too long or not printable', async () => {
    const long = `1795713983.M734415P14658Q1R51d9f9f0.${'very-long-host-name.'.repeat(4)}example`;
    const box = new MemoryMailbox(new Map([[long, Buffer.from('a\r\n')], ['with space', Buffer.from('b\r\n')], ['ok-uid', Buffer.from('c\r\n')]]));
    const { client } = await open({ alice: box }, { allowInsecureAuth: true });
    client.write('USER alice\r\nPASS secret-1\r\nUIDL\r\nRETR 1\r\nDELE 2\r\nQUIT\r\n');
    await client.line();
    await client.line();
    const uidl = (await client.until('\r\n.\r\n')).split('\r\n').slice(1, 4);
    expect(uidl[0]).toMatch(/^1 H[A-Za-z0-9_-]{43}$/);
    expect(uidl[1]).toMatch(/^2 H[A-Za-z0-9_-]{43}$/);
    expect(uidl[2]).toBe('3 ok-uid');
    expect(await client.until('\r\n.\r\n')).toBe('+OK 3 octets\r\na\r\n.\r\n');
    await client.line();
    await client.line();
    expect(box.deletedUids).toEqual(['with space']);
  });
});
