// deleMany: DELEs pipelined in one write when PIPELINING is offered, one at a time otherwise,
// every reply read (the session stays in sync after a refusal), final only after QUIT.
import { describe, expect, it } from 'vitest';
import { POP3ReplyError } from '../src/index.js';
import { connectTo, fakeServer, rejection } from './helpers.js';

const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `Subject: ${i + 1}\r\n\r\nbody ${i + 1}\r\n`);
const commandsPerRead = (server: Awaited<ReturnType<typeof fakeServer>>): number[] =>
  server.sessions.at(-1)!.chunks.map((c) => c.data.toString().split('\r\n').length - 1);

describe('deleMany', () => {
  it('pipelines the DELEs in one write and deletes them at QUIT', async () => {
    const server = await fakeServer({ mailbox: many(200) });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    await pop.deleMany(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(server.commands().filter((c) => c.startsWith('DELE'))).toHaveLength(150);
    expect(Math.max(...commandsPerRead(server))).toBeGreaterThanOrEqual(100);
    expect((await pop.stat()).count).toBe(50);
    await pop.quit();
    expect(server.mailbox).toHaveLength(50);
  });

  it('without PIPELINING sends one DELE at a time', async () => {
    const server = await fakeServer({ mailbox: many(5), extensions: ['USER', 'UIDL', 'TOP'] });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    await pop.deleMany([2, 4]);
    expect(Math.max(...commandsPerRead(server))).toBe(1);
    expect(server.commands().slice(-2)).toEqual(['DELE 2', 'DELE 4']);
    await pop.quit();
    expect(server.mailbox).toHaveLength(3);
  });

  it('a refused DELE is a POP3ReplyError after every reply was read; the session stays in sync', async () => {
    const server = await fakeServer({ mailbox: many(6) });
    server.once('DELE', '+OK marked\r\n');
    server.once('DELE', '-ERR [SYS/TEMP] cannot delete now\r\n');
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const error = await rejection(pop.deleMany([1, 2, 3, 4]));
    expect(POP3ReplyError.is(error)).toBe(true);
    expect((error as POP3ReplyError).message).toContain('DELE 2');
    // The replies to DELE 3 and 4 were consumed: the next command gets its own reply.
    expect(typeof (await pop.noop())).toBe('string');
    await pop.quit();
    expect(server.mailbox).toHaveLength(3);
  });

  it('refuses a bad message number before any write', async () => {
    const server = await fakeServer({ mailbox: many(2) });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const before = server.commands().length;
    await expect(pop.deleMany([1, 0])).rejects.toMatchObject({ code: 'MAIL_INVALID_ARGUMENT' });
    expect(server.commands()).toHaveLength(before);
    await pop.quit();
  });
});
