// Promise 1: no plaintext after the TLS decision. With TLS required, nothing secret or
// personal (AUTH, USER, PASS, APOP, MAIL, RCPT) is written before a verified TLS session
// exists; a server that hides, refuses or mis-answers STARTTLS/STLS, fails EHLO/CAPA, or
// presents a bad certificate gets a typed error, never a silent fallback. Plaintext
// credentials need an explicit opt-in even when the whole session is plaintext. And secrets
// never reach traces, debug logs or error messages.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { TRACE_CHANNEL } from '@mail/transport';
import type { FakeServer } from '@mail/test-servers';
import { act } from '@mail/test-servers';
import { fakeServer, pop3To, rejectionOf, SECRET_VERBS, smtpTo, allReceived, type Mode } from './support/harness.js';
import { scenarios } from './support/scenarios.js';

const PASSWORD = 'hunter2-secret';
const auth = { username: 'alice', password: PASSWORD };

/** What every scenario of this file checks in the transcript: no secret verb, no password, in plaintext. */
function expectNothingSecretInPlaintext(server: FakeServer): void {
  expect(server.commands({ tls: false }).filter((c) => SECRET_VERBS.test(c))).toEqual([]);
  expect(server.transcript.filter((e) => !e.tls && e.kind === 'sasl')).toEqual([]);
  expect(allReceived(server).includes(PASSWORD)).toBe(false);
}

interface Refusal {
  name: string;
  protocol: 'smtp' | 'pop3';
  hide?: boolean;
  script?: (s: FakeServer) => void;
  code: string;
  /** Commands that must not appear at all (e.g. a HELO fallback while TLS is pending). */
  never?: RegExp;
}

const refusals = scenarios(1, [
  { name: 'SMTP: STARTTLS hidden from EHLO', protocol: 'smtp', hide: true, code: 'MAIL_TLS_REQUIRED' },
  { name: 'SMTP: STARTTLS refused with 454', protocol: 'smtp', script: (s) => s.once('STARTTLS', '454 4.7.0 TLS not available\r\n'), code: 'MAIL_TLS_REQUIRED' },
  { name: 'SMTP: STARTTLS refused with 502', protocol: 'smtp', script: (s) => s.once('STARTTLS', '502 5.5.1 Not implemented\r\n'), code: 'MAIL_TLS_REQUIRED' },
  { name: 'SMTP: STARTTLS answered 250 (wrong class)', protocol: 'smtp', script: (s) => s.once('STARTTLS', '250 2.0.0 Sure\r\n'), code: 'MAIL_TLS_REQUIRED' },
  { name: 'SMTP: STARTTLS answered 354 (wrong class)', protocol: 'smtp', script: (s) => s.once('STARTTLS', '354 Go ahead\r\n'), code: 'MAIL_TLS_REQUIRED' },
  { name: 'SMTP: EHLO refused with 500, no HELO fallback while TLS is pending', protocol: 'smtp', script: (s) => s.once('EHLO', '500 5.5.1 What?\r\n'), code: 'SMTP_REPLY', never: /^HELO/i },
  { name: 'SMTP: EHLO refused with 502', protocol: 'smtp', script: (s) => s.once('EHLO', '502 5.5.2 No EHLO\r\n'), code: 'SMTP_REPLY', never: /^HELO/i },
  { name: 'SMTP: EHLO answered 421', protocol: 'smtp', script: (s) => s.once('EHLO', act.closeWith('421 4.3.2 Going down\r\n')), code: 'SMTP_SERVER_DISCONNECTED' },
  { name: 'SMTP: greeting 554', protocol: 'smtp', script: (s) => s.once('GREETING', '554 5.3.2 No service\r\n'), code: 'SMTP_REPLY', never: /^EHLO/i },
  { name: 'SMTP: STARTTLS answered 530 (authenticate first)', protocol: 'smtp', script: (s) => s.once('STARTTLS', '530 5.7.0 Authentication required\r\n'), code: 'MAIL_TLS_REQUIRED' },
  { name: 'POP3: STLS hidden from CAPA', protocol: 'pop3', hide: true, code: 'MAIL_TLS_REQUIRED', never: /^STLS/i },
  { name: 'POP3: CAPA refused (pre-RFC 2449 server)', protocol: 'pop3', script: (s) => s.once('CAPA', '-ERR Unknown command\r\n'), code: 'MAIL_TLS_REQUIRED', never: /^STLS/i },
  { name: 'POP3: STLS refused with -ERR', protocol: 'pop3', script: (s) => s.once('STLS', '-ERR Not now\r\n'), code: 'MAIL_TLS_REQUIRED' },
  { name: 'POP3: STLS refused with -ERR [SYS/TEMP]', protocol: 'pop3', script: (s) => s.once('STLS', '-ERR [SYS/TEMP] Try later\r\n'), code: 'MAIL_TLS_REQUIRED' },
  { name: 'POP3: STLS answered with an SMTP-style 220 (wrong class)', protocol: 'pop3', script: (s) => s.once('STLS', '220 Ready to start TLS\r\n'), code: 'MAIL_PROTOCOL' },
  { name: 'POP3: CAPA answered with garbage', protocol: 'pop3', script: (s) => s.once('CAPA', 'HELLO THERE\r\n'), code: 'MAIL_PROTOCOL', never: /^STLS/i },
  { name: 'POP3: greeting -ERR', protocol: 'pop3', script: (s) => s.once('GREETING', '-ERR [SYS/PERM] Go away\r\n'), code: 'POP3_REPLY', never: /^CAPA/i },
] satisfies Refusal[]);

describe('TLS required (starttls): a server that does not deliver it gets a typed error, never a fallback', () => {
  it.each(refusals)('$name → $code', async (row) => {
    const server = await fakeServer(row.protocol, { security: 'starttls', hideStartTls: row.hide === true, script: row.script });
    const error = await rejectionOf(
      row.protocol === 'smtp' ? smtpTo(server, { auth }) : pop3To(server),
    );
    expect(error.code).toBe(row.code);
    expect(server.commands({ tls: true })).toEqual([]);
    if (row.never) expect(server.commands().filter((c) => row.never.test(c))).toEqual([]);
    expectNothingSecretInPlaintext(server);
  });
});

interface OptIn {
  name: string;
  protocol: 'smtp' | 'pop3';
  call: (server: FakeServer) => Promise<unknown>;
}

const plainAuth = ['PIPELINING', '8BITMIME', 'AUTH PLAIN LOGIN'];

const optIns = scenarios(1, [
  { name: 'SMTP: login() over plaintext', protocol: 'smtp', call: async (s) => (await smtpTo(s)).login('alice', PASSWORD) },
  { name: 'SMTP: auth(PLAIN) over plaintext', protocol: 'smtp', call: async (s) => (await smtpTo(s)).auth('PLAIN', auth) },
  { name: 'SMTP: auth(LOGIN) over plaintext', protocol: 'smtp', call: async (s) => (await smtpTo(s)).auth('LOGIN', auth) },
  { name: 'SMTP: connect({ auth }) over plaintext', protocol: 'smtp', call: (s) => smtpTo(s, { auth }) },
  { name: 'POP3: user() over plaintext', protocol: 'pop3', call: async (s) => (await pop3To(s)).user('alice') },
  { name: 'POP3: pass() over plaintext', protocol: 'pop3', call: async (s) => (await pop3To(s)).pass(PASSWORD) },
  { name: 'POP3: apop() over plaintext', protocol: 'pop3', call: async (s) => (await pop3To(s)).apop('alice', PASSWORD) },
  { name: 'POP3: auth(PLAIN) over plaintext', protocol: 'pop3', call: async (s) => (await pop3To(s)).auth('PLAIN', auth) },
  { name: 'POP3: login() over plaintext', protocol: 'pop3', call: async (s) => (await pop3To(s)).login('alice', PASSWORD) },
] satisfies OptIn[]);

describe("plaintext credentials need an explicit opt-in, even with security 'none'", () => {
  it.each(optIns)('$name → MAIL_TLS_REQUIRED, nothing written', async (row) => {
    const server = await fakeServer(row.protocol, {
      security: 'none',
      ...(row.protocol === 'smtp' ? { extensions: plainAuth } : {}),
    });
    const error = await rejectionOf(row.call(server));
    expect(error.code).toBe('MAIL_TLS_REQUIRED');
    expect(server.commands().filter((c) => /^(AUTH|USER|PASS|APOP)\b/i.test(c))).toEqual([]);
    expectNothingSecretInPlaintext(server);
  });
});

type Cert = 'selfSigned' | 'otherHost' | 'expired' | 'unknownCA' | 'TLSv1.1';

interface CertRow {
  name: string;
  protocol: 'smtp' | 'pop3';
  mode: Exclude<Mode, 'none'>;
  cert: Cert;
}

const certRows: CertRow[] = [];
for (const protocol of ['smtp', 'pop3'] as const) {
  for (const mode of ['tls', 'starttls'] as const) {
    for (const cert of ['selfSigned', 'otherHost', 'expired', 'unknownCA', 'TLSv1.1'] as const) {
      certRows.push({ name: `${protocol.toUpperCase()} ${mode}: ${cert}`, protocol, mode, cert });
    }
  }
}

/** Each failure says why, so that a user can fix the right thing. */
const WHY: Record<Cert, RegExp> = {
  selfSigned: /self-signed/,
  otherHost: /not valid for the host name/,
  expired: /expired/,
  unknownCA: /not signed by a trusted CA/,
  'TLSv1.1': /minimum TLS version/,
};

describe('the certificate and the TLS version are verified before anything is sent over TLS', () => {
  it.each(scenarios(1, certRows))('$name → MAIL_TLS', async (row) => {
    const server = await fakeServer(row.protocol, {
      security: row.mode,
      ...(row.cert === 'unknownCA' || row.cert === 'TLSv1.1' ? {} : { certificate: row.cert }),
      ...(row.cert === 'TLSv1.1' ? { tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } } : {}),
    });
    // unknownCA: trust only Node's bundled roots, which never issued the test CA.
    const tls = row.cert === 'unknownCA' ? {} : { ca: server.ca };
    const error = await rejectionOf(row.protocol === 'smtp' ? smtpTo(server, { auth, tls }) : pop3To(server, { tls }));
    expect(error.code).toBe('MAIL_TLS');
    expect(error.message).toMatch(WHY[row.cert]);
    expect(server.commands({ tls: true })).toEqual([]);
    expectNothingSecretInPlaintext(server);
  });
});

const mismatch = scenarios(1, [
  { name: 'SMTP: implicit TLS against a plaintext server', protocol: 'smtp' as const },
  { name: 'POP3: implicit TLS against a plaintext server', protocol: 'pop3' as const },
]);

describe('implicit TLS never falls back to plaintext', () => {
  it.each(mismatch)('$name → MAIL_TLS_MODE_MISMATCH, no command written', async (row) => {
    const server = await fakeServer(row.protocol, { security: 'none' });
    const error = await rejectionOf(row.protocol === 'smtp' ? smtpTo(server, { auth, security: 'tls' }) : pop3To(server, { security: 'tls' }));
    expect(error.code).toBe('MAIL_TLS_MODE_MISMATCH');
    expect(server.commands()).toEqual([]);
    expectNothingSecretInPlaintext(server);
  });
});

interface SecretRow {
  name: string;
  protocol: 'smtp' | 'pop3';
  /** The server knows this password: `PASSWORD` succeeds, anything else fails. */
  login: (server: FakeServer, log: (line: string) => void) => Promise<unknown>;
  fails?: boolean;
}

const debug = (log: (line: string) => void) => ({ debug: 2 as const, logger: log });
const secretRows = scenarios(1, [
  { name: 'SMTP AUTH PLAIN', protocol: 'smtp', login: async (s, log) => (await smtpTo(s, debug(log))).auth('PLAIN', auth) },
  { name: 'SMTP AUTH LOGIN', protocol: 'smtp', login: async (s, log) => (await smtpTo(s, debug(log))).auth('LOGIN', auth) },
  { name: 'SMTP AUTH CRAM-MD5', protocol: 'smtp', login: async (s, log) => (await smtpTo(s, debug(log))).auth('CRAM-MD5', auth) },
  { name: 'SMTP login() refused with 535', protocol: 'smtp', fails: true, login: async (s, log) => (await smtpTo(s, debug(log))).login('alice', `${PASSWORD}-wrong`) },
  { name: 'SMTP connect({ auth }) over STARTTLS', protocol: 'smtp', login: (s, log) => smtpTo(s, { ...debug(log), auth }) },
  { name: 'POP3 USER/PASS', protocol: 'pop3', login: async (s, log) => { const p = await pop3To(s, debug(log)); await p.user('alice'); return p.pass(PASSWORD); } },
  { name: 'POP3 PASS refused', protocol: 'pop3', fails: true, login: async (s, log) => { const p = await pop3To(s, debug(log)); await p.user('alice'); return p.pass(`${PASSWORD}-wrong`); } },
  { name: 'POP3 APOP', protocol: 'pop3', login: async (s, log) => (await pop3To(s, debug(log))).apop('alice', PASSWORD) },
  { name: 'POP3 AUTH PLAIN', protocol: 'pop3', login: async (s, log) => (await pop3To(s, debug(log))).auth('PLAIN', auth) },
  { name: 'POP3 AUTH LOGIN', protocol: 'pop3', login: async (s, log) => (await pop3To(s, debug(log))).auth('LOGIN', auth) },
  { name: 'POP3 AUTH refused', protocol: 'pop3', fails: true, login: async (s, log) => (await pop3To(s, debug(log))).auth('PLAIN', { username: 'alice', password: `${PASSWORD}-wrong` }) },
] satisfies SecretRow[]);

describe('secrets never reach traces, debug logs or error messages', () => {
  it.each(secretRows)('$name', async (row) => {
    const server = await fakeServer(row.protocol, { security: 'starttls', users: { alice: PASSWORD } });
    const seen: string[] = [];
    const onTrace = (event: unknown): void => { seen.push((event as { text: string }).text); };
    subscribe(TRACE_CHANNEL, onTrace);
    try {
      const outcome = await row.login(server, (line) => seen.push(line)).then(() => undefined, (e: unknown) => e as Error);
      if (row.fails) {
        expect(outcome).toBeInstanceOf(Error);
        seen.push((outcome as Error).message, String((outcome as Error).stack));
      } else {
        expect(outcome).toBeUndefined();
      }
    } finally {
      unsubscribe(TRACE_CHANNEL, onTrace);
    }
    // The exchange really happened over TLS, and the traces saw it.
    expect(server.transcript.some((e) => e.tls && (e.kind === 'sasl' || /^(AUTH|PASS|APOP)/i.test(e.line)))).toBe(true);
    expect(seen.length).toBeGreaterThan(3);
    const forms = [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`\0alice\0${PASSWORD}`).toString('base64'), Buffer.from(`alice\0alice\0${PASSWORD}`).toString('base64')];
    for (const form of forms) expect(seen.filter((l) => l.includes(form) || l.includes(form.replace(/=+$/, '')))).toEqual([]);
  });
});
