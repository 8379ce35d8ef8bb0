// Authentication against the fake server: SASL, APOP, USER/PASS, the login policy, and
// secrets kept out of traces and errors.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { MailError, TRACE_CHANNEL, type TraceEvent } from '@mail/transport';
import { apopDigest, POP3AuthenticationError, type POP3ReplyError } from '../src/index.js';
import { connectTo, fakeServer, MAIL2, rejection } from './helpers.js';

const users = { alice: 'pa55-word' };

const traces: TraceEvent[] = [];
const onTrace = (event: unknown): void => {
  traces.push(event as TraceEvent);
};
afterEach(() => {
  unsubscribe(TRACE_CHANNEL, onTrace);
  traces.length = 0;
});

describe('authentication', () => {
  it.each(['PLAIN', 'LOGIN', 'CRAM-MD5'])('AUTH %s succeeds and leaves no secret in the trace', async (mech) => {
    subscribe(TRACE_CHANNEL, onTrace);
    const server = await fakeServer({ security: 'tls', users, mailbox: [MAIL2] });
    const pop = await connectTo(server, { debug: 1, logger: () => undefined });
    await pop.auth(mech, { username: 'alice', password: 'pa55-word' });
    expect(pop.state).toBe('TRANSACTION');
    expect((await pop.stat()).count).toBe(1);
    expect(server.commands()[1]).toMatch(new RegExp(`^AUTH ${mech}`));
    const text = traces.map((t) => t.text).join('\n');
    expect(text).toContain(`AUTH ${mech}`);
    expect(text).not.toContain('pa55-word');
    expect(text).not.toContain(Buffer.from('pa55-word').toString('base64'));
    expect(text).not.toContain(Buffer.from('\0alice\0pa55-word').toString('base64'));
  });

  it('login picks the strongest offered SASL mechanism (CRAM-MD5 over PLAIN and LOGIN)', async () => {
    const server = await fakeServer({ security: 'tls', users });
    const pop = await connectTo(server);
    await pop.login('alice', 'pa55-word');
    expect(server.commands()).toContain('AUTH CRAM-MD5');
  });

  it('login honours mechanisms and never falls back when none fits', async () => {
    const server = await fakeServer({ security: 'tls', users });
    const pop = await connectTo(server);
    const error = await rejection(pop.login('alice', 'pa55-word', { mechanisms: ['SCRAM-SHA-256'] }));
    expect(MailError.hasCode(error, 'POP3_NOT_SUPPORTED')).toBe(true);
    await pop.login('alice', 'pa55-word', { mechanisms: ['plain'] });
    expect(server.commands().filter((c) => c.startsWith('AUTH'))).toEqual([expect.stringMatching(/^AUTH PLAIN /)]);
  });

  it('login uses APOP when asked and no SASL is offered, else USER/PASS', async () => {
    const server = await fakeServer({ security: 'tls', users, extensions: ['USER', 'UIDL'] });
    const pop = await connectTo(server);
    await pop.login('alice', 'pa55-word', { apop: true });
    const ts = /<[^>]+>/.exec(pop.greeting)![0];
    expect(server.commands()).toContain(`APOP alice ${apopDigest(ts, 'pa55-word')}`);
    const pop2 = await connectTo(server);
    await pop2.login('alice', 'pa55-word');
    expect(server.commands().slice(-3)).toEqual(['USER alice', 'PASS pa55-word', 'CAPA']);
  });

  it('APOP digest is RFC 1939 §7 example', () => {
    expect(apopDigest('<1896.697170952@dbc.mtview.ca.us>', 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });

  it('APOP and PASS are redacted in traces and errors', async () => {
    subscribe(TRACE_CHANNEL, onTrace);
    const server = await fakeServer({ security: 'tls', users });
    const pop = await connectTo(server, { debug: 1, logger: () => undefined });
    const ts = /<[^>]+>/.exec(pop.greeting)![0];
    const digest = apopDigest(ts, 'wrong-secret');
    const error = await rejection(pop.apop('alice', 'wrong-secret'));
    expect(POP3AuthenticationError.is(error)).toBe(true);
    expect((error as POP3ReplyError).command).toBe('APOP alice ****');
    await pop.user('alice');
    expect(POP3AuthenticationError.is(await rejection(pop.pass('wrong-pass')))).toBe(true);
    const text = traces.map((t) => t.text).join('\n');
    expect(text).toContain('APOP alice ****');
    expect(text).toContain('PASS ****');
    for (const secret of [digest, 'wrong-secret', 'wrong-pass']) expect(text).not.toContain(secret);
  });

  it('a failed SASL login is POP3AuthenticationError and the session goes on', async () => {
    const server = await fakeServer({ security: 'tls', users });
    const pop = await connectTo(server);
    expect(POP3AuthenticationError.is(await rejection(pop.auth('PLAIN', { username: 'alice', password: 'nope' })))).toBe(true);
    await pop.auth('PLAIN', { username: 'alice', password: 'pa55-word' });
    expect(pop.state).toBe('TRANSACTION');
  });

  it('a malformed SASL challenge cancels with MAIL_PROTOCOL', async () => {
    const server = await fakeServer({ security: 'tls', users });
    server.once('AUTH', '+ not*base64\r\n');
    const pop = await connectTo(server);
    expect(MailError.hasCode(await rejection(pop.auth('CRAM-MD5', { username: 'alice', password: 'x' })), 'MAIL_PROTOCOL')).toBe(true);
  });

  it('an initial response over 255 octets waits for the first challenge (RFC 5034 §4)', async () => {
    const long = 'p'.repeat(200);
    const server = await fakeServer({ security: 'tls', users: { alice: long } });
    const pop = await connectTo(server);
    await pop.auth('PLAIN', { username: 'alice', password: long });
    expect(pop.state).toBe('TRANSACTION');
    const entries = server.transcript.filter((e) => e.kind === 'command' || e.kind === 'sasl').map((e) => e.line);
    expect(entries.slice(1, 3)).toEqual(['AUTH PLAIN', Buffer.from(`\0alice\0${long}`).toString('base64')]);
  });

  it('a challenge the mechanism rejects cancels with "*" and keeps the session', async () => {
    const server = await fakeServer({ security: 'tls', extensions: ['SASL SCRAM-SHA-256', 'USER'] });
    server.once('AUTH', `+ ${Buffer.from('not a scram message').toString('base64')}\r\n`);
    server.once('AUTH_RESPONSE', '-ERR [AUTH] Authentication cancelled\r\n');
    const pop = await connectTo(server);
    const error = await rejection(pop.auth('SCRAM-SHA-256', { username: 'alice', password: 'x' }));
    expect(MailError.hasCode(error, 'MAIL_SASL')).toBe(true);
    expect(server.transcript.filter((e) => e.kind === 'sasl').map((e) => e.line)).toEqual(['*']);
    expect(pop.state).toBe('AUTHORIZATION');
    await pop.user('alice');
    await pop.pass('secret');
    expect(pop.state).toBe('TRANSACTION');
  });

  it('a SCRAM server that says +OK without proving itself closes the session (MAIL_SASL)', async () => {
    const server = await fakeServer({ security: 'tls', extensions: ['SASL SCRAM-SHA-256', 'USER'] });
    server.on('AUTH', () => '+OK Logged in.\r\n');
    const pop = await connectTo(server);
    const error = await rejection(pop.auth('SCRAM-SHA-256', { username: 'alice', password: 'pa55-word' }));
    expect(MailError.hasCode(error, 'MAIL_SASL')).toBe(true);
    expect(pop.state).toBe('CLOSED');
  });
});
