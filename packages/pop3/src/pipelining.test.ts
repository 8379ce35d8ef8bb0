import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Connection, MailError } from '@mail/transport';
import { Core } from './core.js';
import { POP3ReplyError } from './errors.js';
import { retrMany } from './pipelining.js';
import { parseCapa } from './protocol/index.js';

/** A client Core over a socket whose server side is `feed` (what the client writes is dropped). */
function session(): { core: Core; feed: (data: string) => void } {
  const socket = new Duplex({
    read() {},
    write(_chunk, _enc, cb) {
      cb();
    },
  });
  const core = new Core(Connection.fromSocket(socket, { protocol: 'pop3' }), true, 1000);
  const caps = parseCapa(['PIPELINING']);
  if (!caps.ok) throw new Error('capa');
  core.capabilities = caps.value;
  core.state = 'TRANSACTION';
  // A copy per push: the client unstuffs received bytes in place.
  return { core, feed: (data) => socket.push(Buffer.from(data, 'latin1')) };
}

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
});
