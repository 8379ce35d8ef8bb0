import { describe, expect, it } from 'vitest';
import { MailError } from '@mail/transport';
import { scriptedSession, type ScriptedSession } from './scripted-session.test-util.js';
import { POP3ReplyError } from './errors.js';
import { retrMany } from './pipelining.js';

const session = (): ScriptedSession => scriptedSession(['PIPELINING']);

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const WIRE = '+OK 1\r\n..a\r\nb\r\n.\r\n+OK 2\r\n.\r\n+OK 3 octets\r\nc\r\n..\r\n.\r\n';
const BODIES = ['.a\r\nb\r\n', '', 'c\r\n.\r\n'];

async function fetchSplit(wire: string, cuts: number[]): Promise<string[]> {
  const { core, feed } = session();
  const got: string[] = [];
  const done = (async () => {
    for await (const m of retrMany(core, [1, 2, 3], {})) got.push(m.data.toString('latin1'));
  })();
  let at = 0;
  for (const cut of [...cuts, wire.length]) {
    await settle();
    feed(wire.slice(at, cut));
    at = cut;
  }
  await done;
  expect(core.conn.hasBufferedData()).toBe(false);
  core.conn.destroy();
  return got;
}

describe('pipelined fetch: replies taken synchronously or awaited', () => {
  it('gives the same messages wherever the network splits the replies (one cut)', async () => {
    for (let i = 0; i <= WIRE.length; i++) expect(await fetchSplit(WIRE, [i]), `cut at ${i}`).toEqual(BODIES);
  });

  it('gives the same messages for two cuts (status line and body split apart)', async () => {
    for (let i = 0; i <= WIRE.length; i += 3) {
      for (let j = i; j <= WIRE.length; j += 2) expect(await fetchSplit(WIRE, [i, j]), `cuts ${i} ${j}`).toEqual(BODIES);
    }
  });

  it('a buffered -ERR is a POP3ReplyError for that message, after the earlier ones', async () => {
    const { core, feed } = session();
    const got: string[] = [];
    let error: unknown;
    const done = (async () => {
      for await (const m of retrMany(core, [1, 2, 3], {})) got.push(m.data.toString());
    })().catch((err: unknown) => {
      error = err;
    });
    await settle();
    // All three replies in one read: the -ERR is taken synchronously.
    feed('+OK\r\none\r\n.\r\n-ERR [SYS/TEMP] gone\r\n+OK\r\nthree\r\n.\r\n');
    await done;
    expect(got).toEqual(['one\r\n']);
    expect(POP3ReplyError.is(error)).toBe(true);
    expect((error as MailError).message).toMatch(/RETR 2/);
    core.conn.destroy();
  });

  it('calls made before the previous one settled run in order (no reply is taken twice)', async () => {
    const { core, feed } = session();
    const it = retrMany(core, [1, 2, 3], {});
    const calls = [it.next(), it.next(), it.next(), it.next()];
    await settle();
    feed('+OK\r\none\r\n.\r\n+OK\r\ntwo\r\n.\r\n+OK\r\nthree\r\n.\r\n');
    const results = await Promise.all(calls);
    expect(results.map((r) => (r.done === true ? 'done' : r.value.data.toString()))).toEqual(['one\r\n', 'two\r\n', 'three\r\n', 'done']);
    expect(core.conn.hasBufferedData()).toBe(false);
    core.conn.destroy();
  });

  it('return() before the first next() sends nothing and frees the queue', async () => {
    const { core, written } = session();
    const it = retrMany(core, [1, 2], {});
    expect(await it.return?.()).toEqual({ done: true, value: undefined });
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(written()).toBe('');
    const release = await core.queue.acquire();
    release();
    core.conn.destroy();
  });

  it('with delete: an early exit reads the replies in flight and deletes only the messages finished with', async () => {
    const { core, feed, written } = session();
    const got: string[] = [];
    const done = (async () => {
      for await (const m of retrMany(core, [1, 2, 3], { delete: true })) {
        got.push(m.data.toString());
        if (got.length === 2) break;
      }
    })();
    await settle();
    feed('+OK\r\none\r\n.\r\n+OK\r\ntwo\r\n.\r\n+OK\r\nthree\r\n.\r\n');
    await settle();
    // The DELE of message 1 (finished: the consumer asked for message 2); not of message 2.
    feed('+OK deleted\r\n');
    await done;
    expect(got).toEqual(['one\r\n', 'two\r\n']);
    expect(written()).toBe('RETR 1\r\nRETR 2\r\nRETR 3\r\nDELE 1\r\n');
    expect(core.conn.hasBufferedData()).toBe(false);
    const release = await core.queue.acquire();
    release();
    core.conn.destroy();
  });
});
