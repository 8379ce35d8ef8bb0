import { afterEach, describe, expect, it } from 'vitest';
import type { SMTPServer } from '@mail/smtp/server';
import { RawClient } from '@mail/test-servers';
import { startRecording } from './helpers.js';

let server: SMTPServer | undefined;
afterEach(async () => {
  RawClient.closeAll();
  await server?.close();
  server = undefined;
});

const never = (): Promise<never> => new Promise<never>(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const TIMEOUT_451 = '451 4.3.0 Timeout in local processing, try again later\r\n';

async function open(options: Parameters<typeof startRecording>[0] = {}) {
  const started = await startRecording({ hookTimeout: 50, ...options });
  server = started.server;
  const client = await RawClient.open(started.port);
  expect(await client.reply()).toMatch(/^220 mx\.test (ESMTP|LMTP) ready/);
  return { ...started, client };
}

describe('SMTP server hookTimeout', () => {
  it('answers 451 4.3.0 when onMailFrom never settles, aborts its signal, and the session goes on', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const { client, logs, received } = await open({
      onMailFrom(_from, _session, signal) {
        signals.push(signal);
        return ++calls === 1 ? never() : undefined;
      },
    });
    client.write('EHLO c\r\n');
    await client.reply();
    client.write('MAIL FROM:<a@x.test>\r\n');
    expect(await client.reply()).toBe(TIMEOUT_451);
    expect(signals[0]!.aborted).toBe(true);
    expect((signals[0]!.reason as Error).message).toBe('onMailFrom hook timed out');
    expect(logs.some((l) => /^smtp#\d+ onMailFrom hook timed out after 50 ms$/.test(l))).toBe(true);
    // No transaction was started: RCPT needs MAIL; a second MAIL is accepted.
    client.write('RCPT TO:<b@y.test>\r\n');
    expect(await client.reply()).toMatch(/^503 5\.5\.1 Need MAIL/);
    client.write('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    expect(await client.reply()).toBe('250 2.1.0 Sender OK\r\n');
    expect(await client.reply()).toBe('250 2.1.5 Recipient OK\r\n');
    expect(await client.reply()).toMatch(/^354 /);
    client.write('Subject: x\r\n\r\nbody\r\n.\r\n');
    expect(await client.reply()).toMatch(/^250 2\.0\.0 OK queued as /);
    expect(received).toHaveLength(1);
    expect(signals[1]!.aborted).toBe(false);
  });

  it('ignores a late result of onRcptTo: no second reply, no recipient added', async () => {
    let calls = 0;
    const { client } = await open({
      onRcptTo() {
        // The first call resolves with "accept" after the deadline; the second rejects late.
        calls++;
        return sleep(150).then(() => {
          if (calls > 1) throw new Error('late failure');
        });
      },
    });
    client.write('EHLO c\r\n');
    await client.reply();
    client.write('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\n');
    expect(await client.reply()).toBe('250 2.1.0 Sender OK\r\n');
    expect(await client.reply()).toBe(TIMEOUT_451);
    expect(await client.reply()).toBe(TIMEOUT_451);
    await sleep(250); // both hooks have settled by now
    client.write('DATA\r\nNOOP\r\n');
    expect(await client.reply()).toMatch(/^554 5\.5\.1 No valid recipients/);
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
    client.write('QUIT\r\n');
    expect(await client.reply()).toMatch(/^221 /);
    // Nothing else was sent: the late results were dropped.
    expect(await client.waitClosed()).toBe('');
  });

  it('answers 421 4.3.0 and closes when onConnect never settles', async () => {
    const started = await startRecording({ hookTimeout: 50, onConnect: never });
    server = started.server;
    const client = await RawClient.open(started.port);
    expect(await client.reply()).toBe('421 4.3.0 mx.test Timeout in local processing, closing connection\r\n');
    expect(await client.waitClosed()).toBe('');
    expect(started.logs.some((l) => /onConnect hook timed out after 50 ms$/.test(l))).toBe(true);
  });

  it('answers 451 after DATA when onData never settles; nothing is delivered; the next message goes through', async () => {
    const signals: AbortSignal[] = [];
    const delivered: string[] = [];
    let calls = 0;
    const { client, logs } = await open({
      async onData(message, _envelope, _session, signal) {
        signals.push(signal);
        if (++calls === 1) return never(); // never reads, never settles
        let text = '';
        for await (const c of message) text += c.toString();
        delivered.push(text);
      },
    });
    client.write('EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    await client.reply();
    await client.reply();
    await client.reply();
    expect(await client.reply()).toMatch(/^354 /);
    client.write('Subject: one\r\n\r\nfirst\r\n.\r\n');
    expect(await client.reply()).toBe(TIMEOUT_451);
    expect(signals[0]!.aborted).toBe(true);
    expect(logs.some((l) => / timed out from=<a@x\.test> rcpts=1 /.test(l))).toBe(true);
    // The transaction is over: a new one works and gets the second message only.
    client.write('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    await client.reply();
    await client.reply();
    expect(await client.reply()).toMatch(/^354 /);
    client.write('Subject: two\r\n\r\nsecond\r\n.\r\n');
    expect(await client.reply()).toMatch(/^250 2\.0\.0 OK queued as /);
    expect(delivered).toEqual(['Subject: two\r\n\r\nsecond\r\n']);
  });

  it('counts only the time onData holds the session, not a slow upload; a late settle after the stream is ignored', async () => {
    let calls = 0;
    let lateRead: unknown;
    const { client } = await open({
      async onData(message) {
        const parts: Buffer[] = [];
        for await (const c of message) parts.push(c);
        if (++calls === 2) {
          // Read everything, then settle far too late and try to read again.
          await sleep(150);
          try {
            for await (const c of message) parts.push(c);
          } catch (error) {
            lateRead = error;
          }
          throw new Error('late');
        }
      },
    });
    client.write('EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    for (let i = 0; i < 3; i++) await client.reply();
    expect(await client.reply()).toMatch(/^354 /);
    // Each pause is longer than hookTimeout, but the hook is waiting on the client then.
    for (const piece of ['Subject: slow\r\n', '\r\nline 1\r\n', 'line 2\r\n', '.\r\n']) {
      await sleep(80);
      client.write(piece);
    }
    expect(await client.reply()).toMatch(/^250 2\.0\.0 OK queued as /);
    client.write('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    await client.reply();
    await client.reply();
    expect(await client.reply()).toMatch(/^354 /);
    client.write('Subject: two\r\n\r\nx\r\n.\r\n');
    expect(await client.reply()).toBe(TIMEOUT_451);
    await sleep(200);
    expect((lateRead as Error).message).toBe('onData hook timed out');
    client.write('NOOP\r\n');
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
  });

  it('answers 451 per recipient in LMTP and after BDAT LAST, and reads the chunks in sync', async () => {
    const { client } = await open({ lmtp: true, onData: never });
    client.write('LHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<one@y>\r\nRCPT TO:<two@y>\r\nBDAT 4\r\nab\r\nBDAT 3 LAST\r\nxyz');
    for (let i = 0; i < 4; i++) await client.reply();
    expect(await client.reply()).toBe('250 2.0.0 4 octets received\r\n');
    expect(await client.reply()).toBe(TIMEOUT_451);
    expect(await client.reply()).toBe(TIMEOUT_451);
    client.write('NOOP\r\n');
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
  });

  it('hookTimeout 0 means no limit', async () => {
    const { client } = await open({ hookTimeout: 0, onMailFrom: () => sleep(120) });
    client.write('EHLO c\r\n');
    await client.reply();
    client.write('MAIL FROM:<a@x.test>\r\n');
    expect(await client.reply()).toBe('250 2.1.0 Sender OK\r\n');
  });

  it('refuses a negative or NaN hookTimeout', async () => {
    await expect(startRecording({ hookTimeout: -1 })).rejects.toThrow(/hookTimeout/);
    await expect(startRecording({ hookTimeout: Number.NaN })).rejects.toThrow(/hookTimeout/);
  });
});
