// Promise 4: every byte we read is bounded and attributed. Reply lines and multi-line
// responses have limits (generous for message bodies); a reply over them is a typed error,
// not memory growth; malformed or inconsistent replies are protocol errors; server text shown
// to a person is escaped (no terminal control sequences from the network).
import { describe, expect, it } from 'vitest';
import { POP3ReplyError } from '@mail/pop3';
import { act, type FakeServer, type Reply } from '@mail/test-servers';
import { fakeServer, pop3To, rejectionOf, smtpTo, type Mode } from './support/harness.js';
import { scenarios } from './support/scenarios.js';

const LIMIT = 1024;
const long = (prefix: string, n: number): string => `${prefix}${'x'.repeat(n)}\r\n`;
// Without CHUNKING: a small message would otherwise ride in the envelope's write as
// `BDAT n LAST`, after which any failure is "outcome unknown" (promise 6), not this error.
const SMTP_EXTENSIONS = ['PIPELINING', 'SIZE 10485760', '8BITMIME', 'ENHANCEDSTATUSCODES'];
const mail = { from: 'a@example.org', to: 'b@example.org', message: 'Subject: x\r\n\r\nbody\r\n' };

interface Row {
  name: string;
  protocol: 'smtp' | 'pop3';
  mode?: Mode;
  verb: string;
  reply: NonNullable<Reply>;
  code: string;
  /** Options of the client (limits). */
  extra?: Record<string, unknown>;
  mailbox?: string[];
}

/** Runs the client far enough to send `verb`, returns the settled promise. */
async function drive(row: Row, server: FakeServer): Promise<unknown> {
  const extra = { ...(row.extra ?? {}) };
  if (row.protocol === 'smtp') {
    const smtp = await smtpTo(server, extra);
    if (row.verb === 'NOOP') return smtp.noop();
    return smtp.sendMail(mail);
  }
  const pop = await pop3To(server, { allowPlaintextAuth: true, ...extra });
  await pop.login('alice', 'pw', { mechanisms: ['PLAIN'] });
  switch (row.verb) {
    case 'STAT': return pop.stat();
    case 'LIST': return pop.list();
    case 'UIDL': return pop.uidl();
    case 'RETR': return pop.retr(1);
    case 'TOP': return pop.top(1, 0);
    default: return pop.noop();
  }
}

const smtpLimits = { limits: { maxLineLength: LIMIT } };
const limitRows: Row[] = [
  { name: 'SMTP: greeting line over the line limit', protocol: 'smtp', verb: 'GREETING', reply: long('220 ', 2 * LIMIT), code: 'MAIL_LINE_TOO_LONG', extra: smtpLimits },
  { name: 'SMTP: EHLO line over the line limit', protocol: 'smtp', verb: 'EHLO', reply: `250-localhost\r\n${long('250 ', 2 * LIMIT)}`, code: 'MAIL_LINE_TOO_LONG', extra: smtpLimits },
  { name: 'SMTP: MAIL reply over the line limit', protocol: 'smtp', verb: 'MAIL', reply: long('250 ', 2 * LIMIT), code: 'MAIL_LINE_TOO_LONG', extra: smtpLimits },
  { name: 'SMTP: 1 MiB without a line end', protocol: 'smtp', verb: 'EHLO', reply: `250 ${'y'.repeat(1024 * 1024)}`, code: 'MAIL_LINE_TOO_LONG' },
  { name: 'SMTP: EHLO reply of 1000 lines', protocol: 'smtp', verb: 'EHLO', reply: `${'250-x\r\n'.repeat(1000)}250 end\r\n`, code: 'MAIL_RESPONSE_TOO_LARGE' },
  { name: 'POP3: greeting over 2048 octets', protocol: 'pop3', verb: 'GREETING', reply: long('+OK ', 3000), code: 'MAIL_LINE_TOO_LONG' },
  { name: 'POP3: CAPA line over 2048 octets', protocol: 'pop3', verb: 'CAPA', reply: `+OK\r\n${long('X-', 3000)}.\r\n`, code: 'MAIL_LINE_TOO_LONG' },
  { name: 'POP3: STAT status line over 2048 octets', protocol: 'pop3', verb: 'STAT', reply: long('+OK 1 ', 3000), code: 'MAIL_LINE_TOO_LONG' },
  { name: 'POP3: LIST larger than maxResponseSize', protocol: 'pop3', verb: 'LIST', reply: `+OK\r\n${Array.from({ length: 2000 }, (_, i) => `${i + 1} 100\r\n`).join('')}.\r\n`, code: 'MAIL_RESPONSE_TOO_LARGE', extra: { limits: { maxResponseSize: 4096 } } },
  { name: 'POP3: UIDL larger than maxResponseSize', protocol: 'pop3', verb: 'UIDL', reply: `+OK\r\n${Array.from({ length: 2000 }, (_, i) => `${i + 1} uid${i}\r\n`).join('')}.\r\n`, code: 'MAIL_RESPONSE_TOO_LARGE', extra: { limits: { maxResponseSize: 4096 } } },
  { name: 'POP3: RETR larger than maxMessageSize', protocol: 'pop3', verb: 'RETR', reply: `+OK\r\n${'line\r\n'.repeat(1000)}.\r\n`, code: 'MAIL_RESPONSE_TOO_LARGE', extra: { maxMessageSize: 2000 } },
  { name: 'POP3: TOP larger than maxMessageSize', protocol: 'pop3', verb: 'TOP', reply: `+OK\r\n${'line\r\n'.repeat(1000)}.\r\n`, code: 'MAIL_RESPONSE_TOO_LARGE', extra: { maxMessageSize: 2000 } },
];

const malformedRows: Row[] = [
  { name: 'SMTP: multi-line reply changes its code', protocol: 'smtp', verb: 'EHLO', reply: '250-localhost\r\n251 PIPELINING\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: continuation without separator', protocol: 'smtp', verb: 'EHLO', reply: '250-localhost\r\n250x\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: two-digit code', protocol: 'smtp', verb: 'MAIL', reply: '25 ok\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: code out of range (600)', protocol: 'smtp', verb: 'MAIL', reply: '600 what\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: code 1xx', protocol: 'smtp', verb: 'GREETING', reply: '199 early\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: a text line instead of a reply', protocol: 'smtp', verb: 'GREETING', reply: 'hello there\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: garbage bytes as a reply', protocol: 'smtp', verb: 'RCPT', reply: Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x0d, 0x0a]), code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: an empty line as a reply', protocol: 'smtp', verb: 'NOOP', reply: '\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'SMTP: multi-line reply cut by the close', protocol: 'smtp', verb: 'EHLO', reply: act.closeWith('250-localhost\r\n250-PIPE'), code: 'SMTP_SERVER_DISCONNECTED' },
  { name: 'SMTP: an HTTP server answering', protocol: 'smtp', verb: 'GREETING', reply: 'HTTP/1.1 400 Bad Request\r\n\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'POP3: greeting that is not a status line', protocol: 'pop3', verb: 'GREETING', reply: '220 smtp.example ESMTP\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'POP3: +OKAY is not +OK', protocol: 'pop3', verb: 'STAT', reply: '+OKAY 1 2\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'POP3: STAT without numbers', protocol: 'pop3', verb: 'STAT', reply: '+OK many\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'POP3: STAT with a negative count', protocol: 'pop3', verb: 'STAT', reply: '+OK -1 0\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'POP3: LIST line that is not "n size"', protocol: 'pop3', verb: 'LIST', reply: '+OK\r\nx y\r\n.\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'POP3: UIDL with a 71-octet unique id (RFC 1939 §7)', protocol: 'pop3', verb: 'UIDL', reply: `+OK\r\n1 ${'u'.repeat(71)}\r\n.\r\n`, code: 'MAIL_PROTOCOL' },
  { name: 'POP3: UIDL with a control character in the id', protocol: 'pop3', verb: 'UIDL', reply: '+OK\r\n1 ab\x01cd\r\n.\r\n', code: 'MAIL_PROTOCOL' },
  { name: 'POP3: LIST cut by the close before the terminator', protocol: 'pop3', verb: 'LIST', reply: act.closeWith('+OK\r\n1 100\r\n'), code: 'MAIL_CONNECTION_CLOSED' },
  { name: 'POP3: RETR cut by the close before the terminator', protocol: 'pop3', verb: 'RETR', reply: act.closeWith('+OK\r\nSubject: x\r\n\r\nbody\r\n'), code: 'MAIL_CONNECTION_CLOSED' },
  { name: 'POP3: garbage bytes as a status', protocol: 'pop3', verb: 'NOOP', reply: Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a]), code: 'MAIL_PROTOCOL' },
];

const MODES_CYCLE: readonly Mode[] = ['none', 'tls', 'starttls'];
const withModes = (rows: Row[]): Row[] => rows.map((r, i) => {
  const mode = MODES_CYCLE[i % 3]!;
  return { ...r, mode, name: `${r.name} (${mode})` };
});

describe('limits: over-long lines and responses are typed errors', () => {
  it.each(scenarios(4, withModes(limitRows)))('$name → $code', async (row) => runRow(row));
});

describe('malformed and inconsistent replies are protocol errors', () => {
  it.each(scenarios(4, withModes(malformedRows)))('$name → $code', async (row) => runRow(row));
});

async function runRow(row: Row): Promise<void> {
  const server = await fakeServer(row.protocol, {
    security: row.mode ?? 'none',
    mailbox: row.mailbox ?? ['Subject: one\r\n\r\nbody\r\n'],
    // POP3: USER/PASS only, so that the steps are exactly CAPA, USER, PASS, CAPA, the verb.
    extensions: row.protocol === 'pop3' ? ['USER', 'UIDL', 'TOP', 'SASL PLAIN'] : SMTP_EXTENSIONS,
    script: (s) => s.once(row.verb, row.reply),
  });
  const error = await rejectionOf(drive(row, server));
  expect(error.code).toBe(row.code);
  // The session is over: after the broken reply, at most the rest of the same pipelined
  // envelope (RCPT, DATA) was on the wire, and never any message content.
  const commands = server.commands();
  const verbAt = commands.findLastIndex((c) => c.toUpperCase().startsWith(row.verb));
  if (verbAt >= 0) expect(commands.slice(verbAt + 1).filter((c) => !/^(QUIT|RSET|RCPT|DATA)\b/i.test(c))).toEqual([]);
  expect(server.transcript.filter((e) => e.kind === 'data' || e.kind === 'bdat')).toEqual([]);
  // Nothing in the message repeats a control character from the server.
  expect(hasControl(error.message)).toBe(false);
}

/** C0 (except TAB/LF), DEL and C1 control characters: what a terminal would interpret. */
function hasControl(text: string): boolean {
  return [...text].some((ch) => {
    const c = ch.codePointAt(0)!;
    return (c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f);
  });
}

const ESC = '\x1b[2J\x1b]0;pwned\x07\x9b31m';
const escapeRows = scenarios(4, [
  { name: 'SMTP: control sequences in a RCPT refusal', protocol: 'smtp' as const, verb: 'RCPT', reply: `550 5.1.1 ${ESC} no such user\r\n`, code: 'SMTP_RECIPIENTS_REFUSED' },
  { name: 'SMTP: control sequences in a MAIL refusal', protocol: 'smtp' as const, verb: 'MAIL', reply: `553 5.1.8 ${ESC} bad sender\r\n`, code: 'SMTP_REPLY' },
  { name: 'SMTP: control sequences in the final reply', protocol: 'smtp' as const, verb: 'DATA_END', reply: `554 5.7.1 ${ESC} spam\r\n`, code: 'SMTP_REPLY' },
  { name: 'POP3: control sequences in a -ERR', protocol: 'pop3' as const, verb: 'STAT', reply: `-ERR [SYS/TEMP] ${ESC} busy\r\n`, code: 'POP3_REPLY' },
  { name: 'POP3: control sequences in a login refusal', protocol: 'pop3' as const, verb: 'PASS', reply: `-ERR [AUTH] ${ESC} wrong\r\n`, code: 'POP3_REPLY' },
]);

describe('server text in error messages is escaped', () => {
  it.each(escapeRows)('$name', async (row) => {
    const server = await fakeServer(row.protocol, {
      mailbox: ['Subject: one\r\n\r\nbody\r\n'],
      extensions: row.protocol === 'pop3' ? ['USER', 'UIDL'] : SMTP_EXTENSIONS,
      script: (s) => s.once(row.verb, row.reply),
    });
    const error = await rejectionOf(row.protocol === 'smtp'
      ? smtpTo(server).then((s) => s.sendMail(mail))
      : pop3To(server, { allowPlaintextAuth: true }).then(async (p) => { await p.login('alice', 'pw'); return p.stat(); }));
    expect(error.code).toBe(row.code);
    expect(hasControl(error.message)).toBe(false);
    expect(error.message).toMatch(/pwned/);
    if (row.protocol === 'pop3') expect(POP3ReplyError.is(error)).toBe(true);
  });
});

const bodyRows = scenarios(4, [
  { name: 'POP3: a 100 KB body line is fine (body lines are not status lines)', content: `Subject: x\r\n\r\n${'y'.repeat(100_000)}\r\n` },
  { name: 'POP3: 2 MB of 2048+ octet lines is fine', content: `Subject: x\r\n\r\n${`${'z'.repeat(4000)}\r\n`.repeat(500)}` },
]);

describe('limits are generous for message bodies', () => {
  it.each(bodyRows)('$name', async (row) => {
    const server = await fakeServer('pop3', { mailbox: [row.content], extensions: ['USER', 'UIDL'] });
    const pop = await pop3To(server, { allowPlaintextAuth: true, timeout: 5000 });
    await pop.login('alice', 'pw');
    expect((await pop.retr(1)).toString('latin1')).toBe(row.content);
    expect(server.commands().filter((c) => c.startsWith('RETR'))).toEqual(['RETR 1']);
  });
});

/** A SCRAM server-first message for the client-first in `AUTH SCRAM-SHA-256 <b64>`, with `i` iterations. */
function scramServerFirst(args: string, iterations: number): string {
  const first = Buffer.from(args.split(' ')[1] ?? '', 'base64').toString();
  const nonce = /r=([^,]*)/.exec(first)?.[1] ?? '';
  return Buffer.from(`r=${nonce}server,s=QUJD,i=${iterations}`).toString('base64');
}

interface SaslRow {
  name: string;
  protocol: 'smtp' | 'pop3';
  mechanism: string;
  extensions: string[];
  script: (s: FakeServer) => void;
  code: string;
}

const go = { smtp: '334', pop3: '+' } as const;
const saslRows: SaslRow[] = [];
for (const protocol of ['smtp', 'pop3'] as const) {
  const P = protocol.toUpperCase();
  const c = go[protocol];
  const auth = (list: string) => (protocol === 'smtp' ? [`AUTH ${list}`] : ['USER', `SASL ${list}`]);
  saslRows.push(
    { name: `${P}: a challenge that is not base64`, protocol, mechanism: 'CRAM-MD5', extensions: auth('CRAM-MD5'), script: (s) => s.once('AUTH', `${c} !!!not-base64\r\n`), code: 'MAIL_PROTOCOL' },
    { name: `${P}: challenges that never end`, protocol, mechanism: 'LOGIN', extensions: auth('LOGIN'), script: (s) => { s.once('AUTH', `${c} VXNlcm5hbWU6\r\n`); s.on('AUTH_RESPONSE', () => `${c} VXNlcm5hbWU6\r\n`); }, code: protocol === 'smtp' ? 'MAIL_SASL' : 'MAIL_PROTOCOL' },
    { name: `${P}: SCRAM asking for 10^9 iterations (CPU exhaustion)`, protocol, mechanism: 'SCRAM-SHA-256', extensions: auth('SCRAM-SHA-256'), script: (s) => s.once('AUTH', (cmd) => `${c} ${scramServerFirst(cmd.args, 1_000_000_000)}\r\n`), code: 'MAIL_SASL' },
  );
}

describe('SASL challenges from a hostile server are bounded', () => {
  it.each(scenarios(4, saslRows))('$name → $code', async (row) => {
    const server = await fakeServer(row.protocol, { security: 'tls', extensions: row.extensions, script: row.script });
    const credentials = { username: 'alice', password: 'pw' };
    const started = Date.now();
    const error = await rejectionOf(row.protocol === 'smtp'
      ? smtpTo(server).then((c) => c.auth(row.mechanism, credentials))
      : pop3To(server).then((c) => c.auth(row.mechanism, credentials)));
    expect(error.code).toBe(row.code);
    expect(Date.now() - started).toBeLessThan(1000);
    // At most the mechanism's own steps went out (LOGIN: user name and password), and perhaps
    // the cancel `*` (RFC 4954 §4, RFC 5034 §4), then nothing.
    expect(server.transcript.filter((e) => e.kind === 'sasl' && e.line !== '*').length).toBeLessThanOrEqual(2);
    const auth = server.commands().findIndex((l) => /^AUTH /i.test(l));
    expect(server.commands().slice(auth + 1).filter((l) => !/^(QUIT|\*)$/i.test(l))).toEqual([]);
  });
});
