// The pipelining state machine under random outcomes: concurrent transactions on one session,
// each refused at MAIL, at every RCPT, after the data, or accepted — over DATA and BDAT. Every
// call must get its own outcome and the session must stay in sync (RSET where needed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SmtpState } from '@mail/test-servers';
import { client, fake, noChunking } from './helpers.js';

const runs = Number(process.env.FUZZ_RUNS ?? 25);
const tx = fc.record({
  rejectMail: fc.boolean(),
  rcpts: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }), // true = good
  failData: fc.boolean(),
});

describe.each([['DATA', noChunking], ['BDAT', undefined]] as const)('random transactions over %s', (_via, extensions) => {
  it('each call gets its own outcome and the session stays in sync (property)', async () => {
    const server = await fake(extensions ? { extensions } : {});
    let nested = 0;
    server.on('MAIL', (cmd, ctx) => {
      // A MAIL while a transaction is open would mean a missing RSET (RFC 5321 §4.1.4).
      if ((ctx.state as SmtpState).from !== undefined) nested++;
      return cmd.args.includes('rejectmail') ? '553 5.1.8 sender refused\r\n' : undefined;
    });
    server.on('RCPT', (cmd) => (cmd.args.includes('<bad') ? '550 5.1.1 no such user\r\n' : undefined));
    const failIfAsked = (body: Buffer | undefined): string | undefined => (body?.includes('failme') ? '554 5.6.0 content refused\r\n' : undefined);
    server.on('DATA_END', (_cmd, ctx) => failIfAsked(ctx.body));
    server.on('BDAT', (cmd, ctx) => (/LAST/i.test(cmd.args) ? failIfAsked(ctx.body) : undefined));
    const smtp = await client(server);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(tx, { minLength: 1, maxLength: 6 }), async (txs) => {
        const planned = txs.map((t) => {
          const id = ++n;
          const to = t.rcpts.map((good, i) => `${good ? 'good' : 'bad'}${id}-${i}@y.test`);
          const from = t.rejectMail ? `rejectmail${id}@x.test` : `ok${id}@x.test`;
          return { t, id, to, promise: smtp.sendMail({ from, to, message: `Subject: ${id} ${t.failData ? 'failme' : 'fine'}\r\n\r\nbody\r\n` }).then((r) => ({ ok: r }), (e: unknown) => ({ error: e as { code: string; name: string } })) };
        });
        for (const p of planned) {
          const outcome = await p.promise;
          const goods = p.to.filter((a) => a.startsWith('good'));
          if (p.t.rejectMail) expect(outcome).toMatchObject({ error: { name: 'SMTPSenderRefusedError' } });
          else if (goods.length === 0) expect(outcome).toMatchObject({ error: { code: 'SMTP_RECIPIENTS_REFUSED' } });
          else if (p.t.failData) expect(outcome).toMatchObject({ error: { name: 'SMTPDataError' } });
          else {
            expect('ok' in outcome).toBe(true);
            const ok = (outcome as { ok: { accepted: Array<{ address: string }>; rejected: Array<{ address: string; code: number }> } }).ok;
            expect(ok.accepted.map((a) => a.address)).toEqual(goods);
            expect(ok.rejected.map((a) => [a.address, a.code])).toEqual(p.to.filter((a) => a.startsWith('bad')).map((a) => [a, 550]));
          }
        }
        // In sync: a plain command still gets its own reply, and no MAIL ever hit an open transaction.
        expect((await smtp.noop()).code).toBe(250);
        expect(nested).toBe(0);
      }),
      { numRuns: runs },
    );
    const delivered = server.messages.filter((m) => m.accepted);
    expect(delivered.every((m) => m.to.every((a) => a.startsWith('good')) && m.content.includes('fine'))).toBe(true);
  });
});
