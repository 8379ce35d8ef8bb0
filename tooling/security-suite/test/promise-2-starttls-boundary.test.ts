// Promise 2: nothing crosses the STARTTLS boundary. Bytes after the go-ahead are an
// injection (MAIL_STARTTLS_INJECTION, nothing written); the client writes nothing between
// STARTTLS and the end of the handshake; everything learned in plaintext is asked again
// over TLS; the certificate is checked against the configured host name (never Node's
// `localhost` default of `tls.connect({ socket })`); a stalled or truncated handshake is a
// typed error.
import { connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { act, type FakeServer } from '@mail/test-servers';
import { fakeServer, pop3To, rejectionOf, SHORT, smtpTo } from './support/harness.js';
import { scenarios } from './support/scenarios.js';

type Protocol = 'smtp' | 'pop3';
const VERB = { smtp: 'STARTTLS', pop3: 'STLS' } as const;
const GO = { smtp: '220 2.0.0 Ready to start TLS\r\n', pop3: '+OK Begin TLS negotiation\r\n' } as const;
const auth = { username: 'alice', password: 'hunter2-secret' };

function connectClient(protocol: Protocol, server: FakeServer, extra: Record<string, unknown> = {}): Promise<unknown> {
  return protocol === 'smtp' ? smtpTo(server, { auth, ...extra }) : pop3To(server, extra);
}

/** The server received nothing after the STARTTLS/STLS line: no TLS, no pipelined command. */
function expectNothingAfterStartTls(server: FakeServer, protocol: Protocol): void {
  const received = server.sessions[0]!.received.toString('latin1');
  expect(received.endsWith(`${VERB[protocol]}\r\n`)).toBe(true);
  expect(server.transcript.filter((e) => e.kind === 'discarded')).toEqual([]);
  expect(server.commands({ tls: true })).toEqual([]);
}

const injections: Array<{ name: string; protocol: Protocol; bytes: string }> = [];
for (const protocol of ['smtp', 'pop3'] as const) {
  const ok = protocol === 'smtp' ? '250' : '+OK';
  const table: Array<[string, string]> = [
    ['a complete line', `${ok} injected\r\n`],
    ['a partial line', `${ok} inj`],
    ['one byte', 'X'],
    ['a bare CRLF', '\r\n'],
    ['a forged capability list', protocol === 'smtp' ? '250-evil\r\n250 AUTH PLAIN\r\n' : '+OK\r\nSASL PLAIN\r\n.\r\n'],
    ['bytes that look like a TLS record', '\x16\x03\x01\x00\x05hello'],
  ];
  for (const [what, bytes] of table) injections.push({ name: `${protocol.toUpperCase()}: ${what} after the go-ahead`, protocol, bytes });
}

describe('bytes after the go-ahead are an injection', () => {
  it.each(scenarios(2, injections))('$name → MAIL_STARTTLS_INJECTION, nothing written', async (row) => {
    const server = await fakeServer(row.protocol, {
      security: 'starttls',
      script: (s) => s.once(VERB[row.protocol], act.write(GO[row.protocol] + row.bytes)),
    });
    const error = await rejectionOf(connectClient(row.protocol, server));
    expect(error.code).toBe('MAIL_STARTTLS_INJECTION');
    expectNothingAfterStartTls(server, row.protocol);
    expect(server.sessions[0]!.tls).toBe(false);
  });
});

const plainEhlo = (extra: string[]): string =>
  ['localhost plaintext', ...extra, 'STARTTLS'].map((l, i, a) => `250${i === a.length - 1 ? ' ' : '-'}${l}\r\n`).join('');
const plainCapa = (lines: string[]): string => `+OK\r\n${[...lines, 'STLS'].join('\r\n')}\r\n.\r\n`;

interface Relearn {
  name: string;
  protocol: Protocol;
  plaintext: string;
  tlsExtensions?: string[];
  check: (server: FakeServer) => Promise<void>;
}

const relearn = scenarios(2, [
  {
    name: 'SMTP: SIZE and AUTH from plaintext EHLO are replaced by the TLS EHLO',
    protocol: 'smtp',
    plaintext: plainEhlo(['SIZE 1000']),
    check: async (server) => {
      const smtp = await smtpTo(server);
      expect(smtp.maxSize).toBe(10485760);
      expect(smtp.capabilities.auth).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
      expect(server.commands({ tls: true })[0]).toBe('EHLO client.test');
    },
  },
  {
    name: 'SMTP: CHUNKING offered only in plaintext is not used over TLS',
    protocol: 'smtp',
    plaintext: plainEhlo(['PIPELINING', 'CHUNKING', 'BINARYMIME']),
    tlsExtensions: ['PIPELINING', '8BITMIME'],
    check: async (server) => {
      const smtp = await smtpTo(server);
      await smtp.sendMail({ from: 'a@example.org', to: 'b@example.org', message: 'Subject: x\r\n\r\nbody\r\n' });
      expect(server.commands({ tls: true }).filter((c) => /^BDAT/.test(c))).toEqual([]);
      expect(server.messages.map((m) => [m.via, m.tls])).toEqual([['DATA', true]]);
    },
  },
  {
    name: 'SMTP: a SIZE limit announced only over TLS is enforced before MAIL FROM',
    protocol: 'smtp',
    plaintext: plainEhlo(['SIZE 10485760']),
    tlsExtensions: ['PIPELINING', 'SIZE 100', '8BITMIME'],
    check: async (server) => {
      const smtp = await smtpTo(server);
      const error = await rejectionOf(smtp.sendMail({ from: 'a@example.org', to: 'b@example.org', message: `Subject: x\r\n\r\n${'y'.repeat(200)}\r\n` }));
      expect(error.code).toBe('SMTP_MESSAGE');
      expect(server.commands().filter((c) => /^MAIL/.test(c))).toEqual([]);
    },
  },
  {
    name: 'SMTP: the AUTH list is asked again (only LOGIN over TLS)',
    protocol: 'smtp',
    plaintext: plainEhlo(['AUTH PLAIN']),
    tlsExtensions: ['AUTH LOGIN'],
    check: async (server) => {
      await smtpTo(server, { auth });
      expect(server.commands({ tls: true }).filter((c) => /^AUTH/.test(c))).toEqual(['AUTH LOGIN']);
      expect(server.commands({ tls: false }).filter((c) => /^AUTH/.test(c))).toEqual([]);
    },
  },
  {
    name: 'POP3: SASL from plaintext CAPA is forgotten (USER/PASS over TLS)',
    protocol: 'pop3',
    plaintext: plainCapa(['SASL PLAIN', 'USER']),
    tlsExtensions: ['USER', 'UIDL'],
    check: async (server) => {
      const pop = await pop3To(server);
      expect(pop.capabilities?.sasl ?? []).toEqual([]);
      await pop.login('alice', 'hunter2-secret');
      expect(server.commands({ tls: true }).map((c) => c.split(' ')[0])).toEqual(['CAPA', 'USER', 'PASS', 'CAPA']);
    },
  },
  {
    name: 'POP3: PIPELINING from plaintext CAPA is forgotten',
    protocol: 'pop3',
    plaintext: plainCapa(['PIPELINING', 'USER']),
    tlsExtensions: ['USER', 'UIDL'],
    check: async (server) => {
      const pop = await pop3To(server);
      expect(pop.capabilities?.pipelining).toBe(false);
      expect(server.commands({ tls: true })).toEqual(['CAPA']);
    },
  },
] satisfies Relearn[]);

describe('what was learned in plaintext is thrown away and asked again over TLS', () => {
  it.each(relearn)('$name', async (row) => {
    const server = await fakeServer(row.protocol, {
      security: 'starttls',
      ...(row.tlsExtensions ? { extensions: row.tlsExtensions } : {}),
      script: (s) => s.on(row.protocol === 'smtp' ? 'EHLO' : 'CAPA', (_cmd, ctx) => (ctx.tls ? undefined : row.plaintext)),
    });
    await row.check(server);
    expect(server.transcript.filter((e) => e.kind === 'discarded')).toEqual([]);
  });
});

const boundary = scenarios(2, [
  { name: 'SMTP: nothing is written between STARTTLS and the handshake, even with PIPELINING', protocol: 'smtp' as const },
  { name: 'POP3: nothing is written between STLS and the handshake, even with PIPELINING', protocol: 'pop3' as const },
]);

describe('the client waits for the handshake', () => {
  it.each(boundary)('$name', async (row) => {
    const server = await fakeServer(row.protocol, { security: 'starttls' });
    if (row.protocol === 'smtp') await smtpTo(server, { auth });
    else await (await pop3To(server)).login('alice', 'hunter2-secret');
    const chunks = server.sessions[0]!.chunks;
    const at = chunks.findIndex((c) => c.data.toString('latin1').includes(VERB[row.protocol]));
    expect(chunks[at]!.data.toString('latin1').endsWith(`${VERB[row.protocol]}\r\n`)).toBe(true);
    expect(chunks.slice(at + 1).every((c) => c.tls)).toBe(true);
    expect(server.transcript.filter((e) => e.kind === 'discarded')).toEqual([]);
    expect(server.sessions[0]!.tls).toBe(true);
  });
});

/** A socket factory that reaches the fake server whatever host name the client was given. */
const via = (server: FakeServer) => () => tcpConnect(server.port, '127.0.0.1');

interface NameRow {
  name: string;
  protocol: Protocol;
  mode: 'tls' | 'starttls';
  host: string;
  servername?: string;
  certificate: 'server' | 'otherHost';
  ok: boolean;
}

const names: NameRow[] = [];
for (const protocol of ['smtp', 'pop3'] as const) {
  for (const mode of ['tls', 'starttls'] as const) {
    const p = `${protocol.toUpperCase()} ${mode}`;
    names.push({ name: `${p}: host mail.example, certificate for localhost (Node's default name) is refused`, protocol, mode, host: 'mail.example', certificate: 'server', ok: false });
    names.push({ name: `${p}: host other.example, certificate for other.example is accepted`, protocol, mode, host: 'other.example', certificate: 'otherHost', ok: true });
  }
  names.push({ name: `${protocol.toUpperCase()}: tls.servername overrides the address`, protocol, mode: 'starttls', host: '127.0.0.1', servername: 'other.example', certificate: 'otherHost', ok: true });
}

describe('the certificate is checked against the configured name', () => {
  it.each(scenarios(2, names))('$name', async (row) => {
    const server = await fakeServer(row.protocol, { security: row.mode, certificate: row.certificate });
    const extra = {
      host: row.host,
      socketFactory: via(server),
      tls: { ca: server.ca, ...(row.servername ? { servername: row.servername } : {}) },
    };
    if (row.ok) {
      const client = row.protocol === 'smtp' ? await smtpTo(server, extra) : await pop3To(server, extra);
      expect(client.secure).toBe(true);
      expect(server.commands({ tls: true }).length).toBeGreaterThan(0);
    } else {
      const error = await rejectionOf(connectClient(row.protocol, server, extra));
      expect(error.code).toBe('MAIL_TLS');
      expect(error.message).toMatch(/mail\.example/);
      expect(server.commands({ tls: true })).toEqual([]);
    }
  });
});

interface Broken {
  name: string;
  protocol: Protocol;
  mode: 'tls' | 'starttls';
  script: (s: FakeServer, protocol: Protocol) => void;
  code: string;
  phase?: string;
}

const brokenRows: Broken[] = [];
for (const protocol of ['smtp', 'pop3'] as const) {
  const P = protocol.toUpperCase();
  brokenRows.push(
    { name: `${P}: go-ahead, then the handshake stalls`, protocol, mode: 'starttls', script: (s, p) => s.once(VERB[p], [act.write(GO[p]), act.stall()]), code: 'MAIL_TIMEOUT', phase: 'tls' },
    { name: `${P}: go-ahead, then plaintext instead of a handshake`, protocol, mode: 'starttls', script: (s, p) => s.once(VERB[p], [act.write(GO[p]), act.delay(50), act.write('250 plain again\r\n'), act.stall()]), code: 'MAIL_TLS' },
    { name: `${P}: go-ahead, then the connection closes`, protocol, mode: 'starttls', script: (s, p) => s.once(VERB[p], [act.write(GO[p]), act.delay(50), act.close()]), code: 'MAIL_TLS' },
    { name: `${P}: go-ahead, then a TCP reset`, protocol, mode: 'starttls', script: (s, p) => s.once(VERB[p], [act.write(GO[p]), act.delay(50), act.reset()]), code: 'MAIL_TLS' },
    { name: `${P}: implicit TLS, the server never answers the ClientHello`, protocol, mode: 'tls', script: () => undefined, code: 'MAIL_TIMEOUT', phase: 'tls' },
  );
}

describe('a stalled or truncated handshake is a typed error', () => {
  it.each(scenarios(2, brokenRows))('$name → $code', async (row) => {
    // Implicit TLS that never answers: a plaintext server whose greeting stalls.
    const server = row.mode === 'tls'
      ? await fakeServer(row.protocol, { security: 'none', script: (s) => s.once('GREETING', act.stall()) })
      : await fakeServer(row.protocol, { security: 'starttls', script: (s) => row.script(s, row.protocol) });
    const started = Date.now();
    const error = await rejectionOf(connectClient(row.protocol, server, { security: row.mode }));
    expect(error.code).toBe(row.code);
    if (row.phase) expect(error.phase).toBe(row.phase);
    expect(Date.now() - started).toBeLessThan(SHORT * 4);
    expect(server.commands({ tls: true })).toEqual([]);
    if (row.mode === 'starttls') {
      // After STARTTLS/STLS the client wrote a ClientHello at most: a TLS handshake record.
      const received = server.sessions[0]!.received;
      const end = received.indexOf(`${VERB[row.protocol]}\r\n`) + VERB[row.protocol].length + 2;
      expect(end).toBeGreaterThan(VERB[row.protocol].length + 1);
      const after = received.subarray(end);
      expect(after.length === 0 || after[0] === 0x16, `plaintext after ${VERB[row.protocol]}: ${after.toString('latin1')}`).toBe(true);
    }
  });
});
