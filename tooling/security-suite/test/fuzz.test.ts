// Fuzzing (fast-check): every parser the clients run on network input, and whole client
// sessions against a server that answers arbitrary bytes. Parsers throw nothing but their
// typed errors and give the same result for any chunking; sessions only ever reject with a
// MailError (never hang: bounded deadlines; never crash; never resolve with garbage).
// Budget: FUZZ_RUNS (default small for the normal run; `pnpm fuzz` sets 20000).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POP3 } from '@mail/pop3';
import { protocol, SMTP } from '@mail/smtp';
import {
  createMechanism, decodeBase64Strict, DotStuffer, DotUnstuffer, LineEndingNormalizer, LineFramer, MailError,
} from '@mail/transport';
import { act, splitAt, type FakeServer } from '@mail/test-servers';
import { fakeServer } from './support/harness.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** Sessions cost a connection each: a twentieth of the parser budget, at least 25. */
const SESSION_RUNS = Math.max(25, Math.floor(RUNS / 20));
const params = { numRuns: RUNS };

/** Bytes made of protocol-ish fragments: far likelier to reach deep parser states than noise. */
const FRAGMENTS = ['+OK', '-ERR', '+ ', '220', '250', '250-', '354', '421', '.', '..', ' ', '\r\n', '\n', '\r', '\0', 'x', '1', '42', '[SYS/TEMP]', 'AUTH', 'PLAIN', 'STLS', 'STARTTLS', 'SASL', '\xff', '\x1b[2J', '<', '>', '='];
const wireish = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => Buffer.from(parts.join(''), 'latin1')),
);
/** A buffer and cut points: the same bytes in arbitrary chunks. */
const chunked = wireish.chain((bytes) =>
  fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 8 })
    .map((cuts) => ({ bytes, chunks: splitAt(bytes, cuts) })));

/** Runs `fn`, returning its result or the error; fails on anything but an allowed error type. */
function typed<T>(fn: () => T, allowed: (e: unknown) => boolean): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (!allowed(error)) throw error;
    return { ok: false, error };
  }
}
const isMailError = (e: unknown): boolean => MailError.is(e);
const isProtocolError = (e: unknown): boolean => e instanceof protocol.SMTPProtocolError;

describe('parsers: only typed errors, same result for any chunking', () => {
  it('transport LineFramer', () => {
    fc.assert(fc.property(chunked, fc.integer({ min: 1, max: 64 }), ({ bytes, chunks }, limit) => {
      const drain = (parts: Buffer[]) => typed(() => {
        const framer = new LineFramer(limit);
        const lines: string[] = [];
        for (const p of parts) {
          framer.push(p);
          for (let l = framer.nextLine(); l !== undefined; l = framer.nextLine()) lines.push(l.toString('latin1'));
        }
        return lines;
      }, isMailError);
      const whole = drain([bytes]);
      const pieces = drain(chunks);
      expect(pieces.ok).toBe(whole.ok);
      if (whole.ok && pieces.ok) expect(pieces.value).toEqual(whole.value);
      if (!whole.ok) expect((whole.error as MailError).code).toBe('MAIL_LINE_TOO_LONG');
    }), params);
  });

  it('transport DotUnstuffer (dot-terminated bodies)', () => {
    fc.assert(fc.property(chunked, ({ bytes, chunks }) => {
      const decode = (parts: Buffer[]) => typed(() => {
        const d = new DotUnstuffer();
        const body: Buffer[] = [];
        let done = false;
        for (const p of parts) {
          if (done) break;
          const r = d.push(p);
          body.push(...r.chunks);
          done = r.done;
        }
        return { body: Buffer.concat(body).toString('latin1'), done };
      }, isMailError);
      const whole = decode([bytes]);
      const pieces = decode(chunks);
      expect(pieces).toEqual(whole);
    }), params);
  });

  it('transport DotStuffer: any input becomes CRLF-only lines with exactly one end of data, at the end', () => {
    fc.assert(fc.property(chunked, ({ chunks }) => {
      const s = new DotStuffer();
      const out = Buffer.concat([...chunks.map((c) => s.push(c)), s.end()]).toString('latin1');
      // Exactly one line is a lone dot, and it is the last one (an empty body is just ".").
      const lines = out.split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines.flatMap((l, i) => (l === '.' ? [i] : []))).toEqual([lines.length - 2]);
      expect(/\r(?!\n)|(?<!\r)\n/.test(out)).toBe(false);
      // Decoding gives back the normalised input (what the server stores).
      const n = new LineEndingNormalizer({ finalNewline: true });
      const normalised = Buffer.concat([...chunks.map((c) => n.push(c)), n.end()]).toString('latin1');
      const d = new DotUnstuffer();
      const r = d.push(Buffer.from(out, 'latin1'));
      expect(r.done).toBe(true);
      expect(Buffer.concat(r.chunks).toString('latin1')).toBe(normalised);
    }), params);
  });

  it('smtp ReplyParser, and parseEhlo on what it returns', () => {
    fc.assert(fc.property(chunked, ({ bytes, chunks }) => {
      const parse = (parts: Buffer[]) => typed(() => {
        const p = new protocol.ReplyParser({ maxLineLength: 128, maxLines: 16 });
        return parts.flatMap((c) => p.push(c));
      }, isProtocolError);
      const whole = parse([bytes]);
      expect(parse(chunks)).toEqual(whole);
      if (whole.ok) for (const reply of whole.value) {
        expect(reply.code).toBeGreaterThanOrEqual(200);
        expect(reply.code).toBeLessThan(600);
        typed(() => protocol.parseEhlo(reply), isProtocolError);
      }
    }), params);
  });

  it('smtp formatters never return a line with CR, LF or NUL', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '@', '.', '<', '>', ' ', '\r', '\n', '\0', '=', '+', 'é', ':', '"', '\\', '[', ']') , maxLength: 30 });
    fc.assert(fc.property(text, text, (a, b) => {
      const outs = [
        typed(() => protocol.formatCommand(a), isProtocolError),
        typed(() => protocol.formatMailFrom(a, { envid: b }), isProtocolError),
        typed(() => protocol.formatRcptTo(a, { orcpt: b }), isProtocolError),
        typed(() => protocol.formatWithArgument('VRFY', a), isProtocolError),
        typed(() => protocol.checkDomainArgument(a), isProtocolError),
        typed(() => protocol.formatMailFrom('x@example.org', { extra: { [a || 'K']: b || true } }), isProtocolError),
      ];
      for (const o of outs) if (o.ok) expect(/[\r\n\0]/.test(o.value)).toBe(false);
    }), params);
  });

  it('smtp address and xtext decoding', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      const a = typed(() => protocol.normalizeAddress(s, 'address'), isProtocolError);
      if (a.ok) expect(/[\r\n\0<>]/.test(a.value)).toBe(false);
      typed(() => protocol.decodeXtext(s), isProtocolError);
      typed(() => protocol.parseEsmtpParams(s), isProtocolError);
    }), params);
  });

  it('SASL: base64 decoding and every client mechanism against arbitrary challenges', () => {
    const mechs = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2', 'OAUTHBEARER', 'SCRAM-SHA-1', 'SCRAM-SHA-256'];
    fc.assert(fc.property(fc.constantFrom(...mechs), fc.array(wireish, { minLength: 1, maxLength: 4 }), fc.string({ maxLength: 40 }), (name, challenges, b64) => {
      typed(() => decodeBase64Strict(b64), isMailError);
      const mech = createMechanism(name, { username: 'alice', password: 'pw', token: 'tok' }, { secure: true, host: 'localhost', port: 25 });
      typed(() => {
        mech.start();
        for (const c of challenges) { if (mech.done) break; mech.step(c); }
        mech.finish(challenges[0]);
      }, isMailError);
    }), params);
  });

  it('SASL SCRAM: hostile server-first messages built on the client nonce', () => {
    const part = fc.constantFrom('', 'x', '=', ',', 'r=', 's=', 'i=', 'm=', 'e=', '4096', '0', '-1', '99999999999', 'QUJD', '====');
    fc.assert(fc.property(fc.constantFrom('SCRAM-SHA-1', 'SCRAM-SHA-256'), fc.array(part, { maxLength: 8 }), fc.array(part, { maxLength: 6 }), (name, extraNonce, rest) => {
      const mech = createMechanism(name, { username: 'alice', password: 'pw' }, { secure: true });
      const first = mech.start()!.toString();
      const nonce = /r=([^,]*)/.exec(first)![1]!;
      const serverFirst = `r=${nonce}${extraNonce.join('')},s=QUJD,i=4096${rest.length ? ',' : ''}${rest.join('')}`;
      typed(() => { mech.step(Buffer.from(serverFirst)); mech.step(Buffer.from(`v=${rest.join('')}`)); mech.finish(); }, isMailError);
    }), { numRuns: Math.max(20, Math.floor(RUNS / 10)) });
  });
});

/** The client call of one session property and what a resolution proves about the bytes. */
interface Target {
  name: string;
  protocol: 'smtp' | 'pop3';
  verb: string;
  run: (server: FakeServer) => Promise<unknown>;
  /** A resolution is only legitimate when the server's bytes say so. */
  plausible: (bytes: string, value: unknown) => boolean;
}

const pop3 = (server: FakeServer) => POP3.connect({ host: server.host, port: server.port, security: 'none', timeout: 300, allowPlaintextAuth: true });
const loggedIn = async (server: FakeServer): Promise<POP3> => {
  const pop = await pop3(server);
  await pop.user('alice');
  await pop.pass('pw');
  return pop;
};
const smtp = (server: FakeServer) => SMTP.connect({ host: server.host, port: server.port, security: 'none', localName: 'fuzz.test', timeout: 300 });

const targets: Target[] = [
  { name: 'POP3 greeting', protocol: 'pop3', verb: 'GREETING', run: pop3, plausible: (b) => b.startsWith('+OK') },
  { name: 'POP3 CAPA', protocol: 'pop3', verb: 'CAPA', run: pop3, plausible: (b) => b.startsWith('+OK') || b.startsWith('-ERR') },
  { name: 'POP3 STAT', protocol: 'pop3', verb: 'STAT', run: async (s) => (await loggedIn(s)).stat(), plausible: (b, v) => { const m = /^\+OK (\d+) (\d+)/.exec(b); return m !== null && JSON.stringify(v) === JSON.stringify({ count: Number(m[1]), size: Number(m[2]) }); } },
  { name: 'POP3 LIST', protocol: 'pop3', verb: 'LIST', run: async (s) => (await loggedIn(s)).list(), plausible: (b) => b.startsWith('+OK') && /(^|\n)\.\r?\n/.test(b) },
  { name: 'POP3 UIDL', protocol: 'pop3', verb: 'UIDL', run: async (s) => (await loggedIn(s)).uidl(), plausible: (b) => b.startsWith('+OK') && /(^|\n)\.\r?\n/.test(b) },
  { name: 'POP3 RETR', protocol: 'pop3', verb: 'RETR', run: async (s) => (await loggedIn(s)).retr(1), plausible: (b) => b.startsWith('+OK') && /\n\.\r?\n/.test(b) },
  { name: 'POP3 AUTH challenge', protocol: 'pop3', verb: 'AUTH', run: async (s) => (await pop3(s)).auth('CRAM-MD5', { username: 'alice', password: 'pw' }), plausible: () => false },
  { name: 'SMTP greeting', protocol: 'smtp', verb: 'GREETING', run: smtp, plausible: (b) => b.startsWith('220') },
  { name: 'SMTP EHLO', protocol: 'smtp', verb: 'EHLO', run: smtp, plausible: (b) => b.startsWith('2') || b.startsWith('5') },
  { name: 'SMTP MAIL (then the server closes)', protocol: 'smtp', verb: 'MAIL', run: async (s) => (await smtp(s)).sendMail({ from: 'a@example.org', to: 'b@example.org', message: 'x' }), plausible: () => false },
  { name: 'SMTP final reply', protocol: 'smtp', verb: 'DATA_END', run: async (s) => (await smtp(s)).sendMail({ from: 'a@example.org', to: 'b@example.org', message: 'x' }), plausible: (b) => b.startsWith('2') },
];

describe('client sessions against a server answering arbitrary bytes (then closing)', () => {
  it.each(targets)('$name', async (t) => {
    const server = await fakeServer(t.protocol, {
      mailbox: ['Subject: x\r\n\r\nbody\r\n'],
      extensions: t.protocol === 'pop3' ? ['USER', 'UIDL', 'SASL CRAM-MD5'] : ['PIPELINING', '8BITMIME', 'SIZE 1000000'],
    });
    await fc.assert(fc.asyncProperty(wireish, fc.boolean(), async (bytes, reset) => {
      server.once(t.verb, [act.write(bytes), reset ? act.reset() : act.close()]);
      const started = Date.now();
      let value: unknown;
      let error: unknown;
      let resolved = false;
      try {
        value = await t.run(server);
        resolved = true;
        // Close what resolved (it may be a session object).
        await (value as { close?: () => Promise<void> } | undefined)?.close?.();
      } catch (e) {
        error = e;
      }
      // Drop the one-shot override if the session never reached the verb.
      server.script.take(t.verb, t.verb === 'GREETING' || t.verb === 'DATA_END');
      expect(Date.now() - started).toBeLessThan(2000);
      if (resolved) expect(t.plausible(bytes.toString('latin1'), value), `resolved on ${JSON.stringify(bytes.toString('latin1'))}`).toBe(true);
      else expect(MailError.is(error), `non-MailError: ${String(error)}`).toBe(true);
    }), { numRuns: SESSION_RUNS });
  });
});
