// End-to-end fuzz: whatever bytes a server answers, every verb settles with a value or a
// MailError (never another exception, never a hang).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { act } from '@mail/test-servers';
import { MailError } from '@mail/transport';
import type { POP3 } from '../src/index.js';
import { connectTo, fakeServer } from './helpers.js';

const runs = Math.min(Number(process.env.FUZZ_RUNS ?? 40), 400);

const reply = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.array(
    fc.oneof(
      fc.constantFrom('+OK', '-ERR', '+OK 2 320', '-ERR [IN-USE] x', '.', '..', '1 100', '1 uid', '+ ', 'SASL PLAIN', '', '+OK [SYS/TEMP'),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 8 },
  ).map((lines) => Buffer.from(lines.map((l) => `${l}\r\n`).join(''))),
);

const verbs: Array<[string, (pop: POP3) => Promise<unknown>]> = [
  ['STAT', (p) => p.stat()],
  ['LIST', (p) => p.list()],
  ['UIDL', (p) => p.uidl()],
  ['RETR', (p) => p.retr(1)],
  ['TOP', (p) => p.top(1, 0)],
  ['CAPA', (p) => p.capa()],
  ['NOOP', (p) => p.noop()],
];

describe('client fuzz', () => {
  it.each(verbs)('%s answered with arbitrary bytes settles with a value or a MailError', async (verb, call) => {
    const server = await fakeServer({ mailbox: ['Subject: x\r\n\r\nbody\r\n'] });
    let current = Buffer.alloc(0);
    // Only after login (the client asks CAPA at connect too).
    server.on(verb, (_cmd, ctx) => ((ctx.state as { phase: string }).phase === 'transaction' ? [act.write(current), act.close()] : undefined));
    await fc.assert(
      fc.asyncProperty(reply, async (bytes) => {
        current = bytes;
        const pop = await connectTo(server, { timeout: 2000 });
        try {
          // PASS asks CAPA again after login, so for CAPA the fuzzed reply comes already there.
          await pop.user('alice');
          await pop.pass('secret');
          await call(pop);
        } catch (error) {
          expect(MailError.is(error), String(error)).toBe(true);
        } finally {
          await pop.close();
        }
      }),
      { numRuns: runs },
    );
  });
});
