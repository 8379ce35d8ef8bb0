import { describe, expect, it } from 'vitest';
import { scriptedSession, type ScriptedSession } from './scripted-session.test-util.js';
import { POP3ReplyError } from './errors.js';
import { retrieveStream } from './retrieve.js';

const session = (): ScriptedSession => scriptedSession();

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('retrieveStream (BodyStream)', () => {
  it('sends the command only when iteration starts, yields the body, then frees the queue', async () => {
    const { core, feed, written } = session();
    const stream = retrieveStream(core, 'RETR 1', {});
    await settle();
    expect(written()).toBe('');
    const chunks: string[] = [];
    const done = (async () => {
      for await (const c of stream) chunks.push(c.toString('latin1'));
    })();
    await settle();
    expect(written()).toBe('RETR 1\r\n');
    feed('+OK\r\nline 1\r\n..dot\r\n');
    await settle();
    feed('.\r\n');
    await done;
    expect(chunks.join('')).toBe('line 1\r\n.dot\r\n');
    const release = await core.queue.acquire();
    release();
    expect(core.conn.closed).toBe(false);
    core.conn.destroy();
  });

  it('overlapping next() calls get the chunks in order, then done', async () => {
    const { core, feed } = session();
    const stream = retrieveStream(core, 'RETR 1', {});
    const calls = [stream.next(), stream.next(), stream.next()];
    await settle();
    feed('+OK\r\nab\r\n');
    await settle();
    feed('cd\r\n');
    await settle();
    feed('.\r\n');
    const results = await Promise.all(calls);
    expect(results.map((r) => (r.done === true ? 'done' : r.value.toString()))).toEqual(['ab\r\n', 'cd\r\n', 'done']);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    core.conn.destroy();
  });

  it('a -ERR rejects with POP3ReplyError, frees the queue and ends the iterator', async () => {
    const { core, feed } = session();
    const stream = retrieveStream(core, 'RETR 9', {});
    const first = stream.next();
    await settle();
    feed('-ERR no such message\r\n');
    let error: unknown;
    try {
      await first;
    } catch (err) {
      error = err;
    }
    expect(POP3ReplyError.is(error)).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    const release = await core.queue.acquire();
    release();
    expect(core.conn.closed).toBe(false);
    core.conn.destroy();
  });

  it('return() before the first next() sends nothing; after a chunk it closes the connection (out of sync)', async () => {
    const idle = session();
    expect(await retrieveStream(idle.core, 'RETR 1', {}).return?.()).toEqual({ done: true, value: undefined });
    await settle();
    expect(idle.written()).toBe('');
    idle.core.conn.destroy();

    const { core, feed } = session();
    const stream = retrieveStream(core, 'RETR 1', {});
    const first = stream.next();
    await settle();
    feed('+OK\r\npart\r\n');
    expect((await first).value?.toString()).toBe('part\r\n');
    expect(await stream.return?.()).toEqual({ done: true, value: undefined });
    expect(core.conn.closed).toBe(true);
    const release = await core.queue.acquire();
    release();
  });
});
