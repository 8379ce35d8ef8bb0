// Promise 3: every byte we write is one we chose. CR, LF or NUL in any argument is refused
// before any I/O; message content is normalised (bare CR/LF → CRLF, then dot-stuffing, a
// final CRLF) whatever the input type and chunking, so no smuggling shape survives; what
// cannot be made safe is refused before MAIL FROM.
import { describe, expect, it } from 'vitest';
import type { POP3 } from '@mail/pop3';
import type { SMTP } from '@mail/smtp';
import type { FakeServer } from '@mail/test-servers';
import { fakeServer, pop3To, rejectionOf, smtpTo, allReceived, type Mode } from './support/harness.js';
import { INPUT_TYPES, normalised, onlyCrlf, SMUGGLING_SHAPES, smugglingMessage } from './support/bodies.js';
import { scenarios } from './support/scenarios.js';

const CHARS: ReadonlyArray<readonly [string, string, Mode]> = [
  ['CR', '\r', 'none'],
  ['LF', '\n', 'tls'],
  ['NUL', '\0', 'starttls'],
];
const EVIL = 'evil@example.net';
const ok = { from: 'a@example.org', to: 'b@example.org', message: 'Subject: hi\r\n\r\nhello\r\n' };

type SmtpCall = (smtp: SMTP, x: string) => Promise<unknown>;
type Pop3Call = (pop: POP3, x: string) => Promise<unknown>;

const smtpArgs: ReadonlyArray<readonly [string, SmtpCall]> = [
  ['sendMail from', (s, x) => s.sendMail({ ...ok, from: `a@example.org${x}RCPT TO:<${EVIL}>` })],
  ['sendMail to', (s, x) => s.sendMail({ ...ok, to: [`b@example.org${x}RCPT TO:<${EVIL}>`] })],
  ['sendMail dsn.envid', (s, x) => s.sendMail({ ...ok, dsn: { envid: `id${x}RCPT TO:<${EVIL}>` } })],
  ['sendMail recipient orcpt', (s, x) => s.sendMail({ ...ok, to: [{ address: 'b@example.org', orcpt: `rfc822;b@example.org${x}RCPT TO:<${EVIL}>` }] })],
  ['sendMail mailParams value', (s, x) => s.sendMail({ ...ok, mailParams: { XTRA: `v${x}RCPT TO:<${EVIL}>` } })],
  ['sendMail mailParams keyword', (s, x) => s.sendMail({ ...ok, mailParams: { [`X${x}RCPT TO:<${EVIL}>`]: true } })],
  ['mail()', (s, x) => s.mail(`a@example.org${x}RCPT TO:<${EVIL}>`)],
  ['mail() parameter', (s, x) => s.mail('a@example.org', { extra: { XTRA: `v${x}RCPT TO:<${EVIL}>` } })],
  ['rcpt()', (s, x) => s.rcpt(`b@example.org${x}RCPT TO:<${EVIL}>`)],
  ['rcpt() orcpt', (s, x) => s.rcpt('b@example.org', { orcpt: `rfc822;b@example.org${x}RCPT TO:<${EVIL}>` })],
  ['ehlo() name', (s, x) => s.ehlo(`client.test${x}MAIL FROM:<${EVIL}>`)],
  ['helo() name', (s, x) => s.helo(`client.test${x}MAIL FROM:<${EVIL}>`)],
  ['verify()', (s, x) => s.verify(`b${x}MAIL FROM:<${EVIL}>`)],
  ['expn()', (s, x) => s.expn(`list${x}MAIL FROM:<${EVIL}>`)],
  ['help()', (s, x) => s.help(`topic${x}MAIL FROM:<${EVIL}>`)],
  ['command() raw line', (s, x) => s.command(`NOOP${x}MAIL FROM:<${EVIL}>`)],
];

const pop3Args: ReadonlyArray<readonly [string, Pop3Call]> = [
  ['user()', (p, x) => p.user(`alice${x}DELE 1 ${EVIL}`)],
  ['pass()', (p, x) => p.pass(`pw${x}DELE 1 ${EVIL}`)],
  ['apop() name', (p, x) => p.apop(`alice${x}DELE 1 ${EVIL}`, 'pw')],
  ['login() user name (USER/PASS)', (p, x) => p.login(`alice${x}DELE 1 ${EVIL}`, 'pw')],
];

interface ArgRow {
  name: string;
  mode: Mode;
  run: (server: FakeServer) => Promise<unknown>;
  protocol: 'smtp' | 'pop3';
  code?: string;
}

const argRows: ArgRow[] = [
  // Not a known mechanism name, so refused by the SASL layer before anything is written.
  ...CHARS.map(([char, x, mode]): ArgRow => ({
    name: `POP3 ${mode}: ${char} in auth() mechanism name`, mode, protocol: 'pop3', code: 'MAIL_SASL',
    run: async (server) => (await pop3To(server, { allowPlaintextAuth: true })).auth(`PLAIN${x}DELE 1 ${EVIL}`, { username: 'alice', password: 'pw' }),
  })),
];
for (const [char, x, mode] of CHARS) {
  for (const [what, call] of smtpArgs) {
    argRows.push({ name: `SMTP ${mode}: ${char} in ${what}`, mode, protocol: 'smtp', run: async (server) => call(await smtpTo(server), x) });
  }
  for (const [what, call] of pop3Args) {
    argRows.push({ name: `POP3 ${mode}: ${char} in ${what}`, mode, protocol: 'pop3', run: async (server) => call(await pop3To(server, { allowPlaintextAuth: true }), x) });
  }
}

describe('CR, LF and NUL in any argument are refused before any I/O', () => {
  it.each(scenarios(3, argRows))('$name → typed error, nothing written', async (row) => {
    // POP3 without SASL, so that login() takes USER/PASS, where the name is on the wire.
    const server = await fakeServer(row.protocol, {
      security: row.mode,
      ...(row.protocol === 'pop3' ? { extensions: ['USER', 'UIDL'] } : {}),
    });
    const error = await rejectionOf(row.run(server));
    expect(error.code).toBe(row.code ?? 'MAIL_INVALID_ARGUMENT');
    // Nothing of the call reached the server: no injected command, no part of the argument.
    expect(allReceived(server).includes(EVIL)).toBe(false);
    expect(server.commands().filter((c) => /^(MAIL|RCPT|DELE|VRFY|EXPN|HELP|NOOP|USER|PASS|APOP|AUTH)\b/i.test(c))).toEqual([]);
  });
});

interface SmuggleRow {
  name: string;
  message: string;
  input: (text: string) => unknown;
  via: 'DATA' | 'BDAT';
}

const smuggleRows: SmuggleRow[] = [];
for (const [shapeName, shape] of SMUGGLING_SHAPES) {
  for (const [inputName, input] of INPUT_TYPES) {
    for (const via of ['DATA', 'BDAT'] as const) {
      smuggleRows.push({ name: `${shapeName} as ${inputName} via ${via}`, message: smugglingMessage(shape), input, via });
    }
  }
}

const NO_CHUNKING = ['PIPELINING', 'SIZE 10485760', '8BITMIME', 'ENHANCEDSTATUSCODES'];
const CHUNKING = [...NO_CHUNKING, 'CHUNKING'];

describe('smuggling shapes are neutralised: the server records exactly one message', () => {
  it.each(scenarios(3, smuggleRows))('$name', async (row) => {
    const server = await fakeServer('smtp', { extensions: row.via === 'BDAT' ? CHUNKING : NO_CHUNKING });
    const smtp = await smtpTo(server);
    const result = await smtp.sendMail({ from: 'a@example.org', to: 'b@example.org', message: row.input(row.message) as string });
    expect(result.accepted.map((r) => r.address)).toEqual(['b@example.org']);
    await smtp.quit();
    expect(server.messages).toHaveLength(1);
    const [message] = server.messages;
    expect(message!.via).toBe(row.via);
    expect(message!.content.toString('latin1')).toBe(normalised(row.message));
    expect(onlyCrlf(message!.raw)).toBe(true);
    expect(server.commands().filter((c) => c.includes(EVIL) || c.includes('victim'))).toEqual([]);
    expect(server.commands().filter((c) => /^(MAIL|DATA|BDAT)/.test(c))).toHaveLength(2);
  });
});

interface RefuseRow {
  name: string;
  extensions: string[];
  message: () => unknown;
  lookAhead?: number;
  code: string;
}

const nulText = 'Subject: nul\r\n\r\nbefore\0after\r\n';
const longLine = `Subject: long\r\n\r\n${'x'.repeat(999)}\r\n`;
const refuseRows = scenarios(3, [
  ...INPUT_TYPES.slice(0, 3).map(([inputName, input]) => ({ name: `NUL in a text body (${inputName}), no BINARYMIME`, extensions: CHUNKING, message: () => input(nulText), code: 'SMTP_MESSAGE' })),
  { name: '8-bit body, server offers neither 8BITMIME nor SMTPUTF8', extensions: ['PIPELINING'], message: () => 'Subject: x\r\n\r\ncaf\u00e9\r\n', code: 'SMTP_MESSAGE' },
  { name: 'a 999-octet line (RFC 5321 §4.5.3.1.6), no BINARYMIME', extensions: CHUNKING, message: () => longLine, code: 'SMTP_MESSAGE' },
  { name: 'a 999-octet line via DATA', extensions: NO_CHUNKING, message: () => longLine, code: 'SMTP_MESSAGE' },
] satisfies RefuseRow[]);

describe('what cannot be made safe is refused before MAIL FROM', () => {
  it.each(refuseRows)('$name → $code', async (row) => {
    const server = await fakeServer('smtp', { extensions: row.extensions });
    const smtp = await smtpTo(server);
    const error = await rejectionOf(smtp.sendMail({ from: 'a@example.org', to: 'b@example.org', message: row.message() as string }));
    expect(error.code).toBe(row.code);
    expect(server.commands().filter((c) => /^(MAIL|RCPT|DATA|BDAT)/.test(c))).toEqual([]);
    expect(server.messages).toEqual([]);
  });
});

// Longer than the look-ahead and than one coalesced write (64 KiB), so MAIL FROM is out first.
const streamTail = `Subject: late\r\n\r\n${'ok line\r\n'.repeat(25_000)}late\0nul\r\n`;
const lateRows = scenarios(3, [
  { name: 'NUL after the look-ahead of a stream, via DATA: the connection is dropped before the final dot', extensions: NO_CHUNKING, via: 'DATA' as const },
  { name: 'NUL after the look-ahead of a stream, via BDAT: the chunks are never ended with LAST', extensions: CHUNKING, via: 'BDAT' as const },
]);

describe('a stream found unsafe after MAIL FROM is abandoned, never delivered', () => {
  it.each(lateRows)('$name', async (row) => {
    const server = await fakeServer('smtp', { extensions: row.extensions });
    const smtp = await smtpTo(server);
    const [, input] = INPUT_TYPES[2]!;
    const error = await rejectionOf(smtp.sendMail({ from: 'a@example.org', to: 'b@example.org', message: input(streamTail) as string, lookAhead: 1024 }));
    expect(error.code).toBe('SMTP_MESSAGE');
    expect(server.commands().filter((c) => /^MAIL/.test(c))).toHaveLength(1);
    await server.waitFor(() => row.via === 'BDAT' || server.sessions[0]!.closed, 2000);
    expect(server.messages.filter((m) => m.accepted)).toEqual([]);
    expect(server.transcript.filter((e) => e.line === '.' && e.kind === 'data')).toEqual([]);
    expect(server.commands().filter((c) => /^BDAT \d+ LAST/i.test(c))).toEqual([]);
  });
});

const verbRows = scenarios(3, [
  { name: 'data() verb: bare LF and a lone dot line are normalised and stuffed', via: 'DATA' as const },
  { name: 'bdat() verb: bare CR and LF are normalised', via: 'BDAT' as const },
]);

describe('the low-level verbs use the same normaliser', () => {
  it.each(verbRows)('$name', async (row) => {
    const server = await fakeServer('smtp', { extensions: CHUNKING });
    const smtp = await smtpTo(server);
    const text = 'Subject: v\n\nline\n.\nMAIL FROM:<evil@example.net>\rend';
    await smtp.mail('a@example.org');
    await smtp.rcpt('b@example.org');
    if (row.via === 'DATA') await smtp.data(text);
    else await smtp.bdat(`${text}\r\n`, { last: true });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.content.toString('latin1')).toBe(normalised(text));
    expect(onlyCrlf(server.messages[0]!.raw)).toBe(true);
    expect(server.commands().filter((c) => c.includes(EVIL))).toEqual([]);
  });
});
