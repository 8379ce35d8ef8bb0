/**
 * AUTHORIZATION state (RFC 1939 §4, §7; RFC 5034): USER/PASS, APOP and SASL AUTH, then the
 * maildrop is locked and opened.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServerMechanism, decodeSaslResponse, supportedServerMechanisms, type SaslServerResult } from '@mail/transport';
import { closeMailbox, MAX_SASL_LINE, type POP3Session } from './session.js';
import { TIMED_OUT } from './hook-timeout.js';
import type { Mailbox, MailboxEntry } from './mailbox.js';

/** Constant-time comparison (of SHA-256 digests, so lengths do not leak). */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** RFC 2449 §8.1.2 [AUTH] on a plaintext session where credentials are not allowed. */
function refuseInsecure(session: POP3Session): boolean {
  if (session.authAllowed) return false;
  session.err('Plaintext authentication disallowed on non-secure connections; use STLS', 'AUTH');
  return true;
}

/** Locks and opens the maildrop of `user`, then enters TRANSACTION. */
async function enter(session: POP3Session, user: string): Promise<void> {
  const config = session.config;
  // RFC 2449 §8.1.1: [IN-USE] when another session holds the maildrop.
  if (config.locked.has(user)) {
    session.log(`mailbox of ${user} in use`);
    return session.err('Mailbox already in use', 'IN-USE');
  }
  config.locked.add(user);
  session.user = user;
  let opened: Mailbox | undefined;
  let outcome: { mailbox: Mailbox; messages: MailboxEntry[] } | typeof TIMED_OUT | undefined;
  try {
    outcome = await session.hook('openMailbox', async (signal) => {
      const mailbox = await config.options.openMailbox(user, session, signal);
      // Opened after the deadline: nobody will use it, so close it now.
      if (signal.aborted) return void closeMailbox(session, mailbox);
      opened = mailbox;
      return { mailbox, messages: await mailbox.list() };
    });
  } catch (error) {
    session.log(`opening mailbox of ${user} failed: ${(error as Error).message}`);
  }
  if (outcome === undefined || outcome === TIMED_OUT) {
    // Still in AUTHORIZATION, not logged in, lock released: the client may try again.
    config.locked.delete(user);
    session.user = undefined;
    if (opened) await closeMailbox(session, opened);
    // RFC 3206 §4: [SYS/TEMP], a transient problem on the server side.
    return session.err(outcome === TIMED_OUT ? 'Timeout opening mailbox, try again later' : 'Unable to open mailbox', 'SYS/TEMP');
  }
  session.mailbox = outcome.mailbox;
  session.messages = outcome.messages;
  session.state = 'transaction';
  session.badCommands = 0;
  const size = session.messages.reduce((sum, m) => sum + m.size, 0);
  session.log(`login user=${user} messages=${session.messages.length}`);
  session.ok(`Logged in, ${session.messages.length} messages (${size} octets)`);
}

function failed(session: POP3Session, how: string): void {
  session.log(`authentication failed (${how})`);
  session.err('Authentication failed', 'AUTH');
}

/** USER name. */
export function userCommand(session: POP3Session, arg: string): void {
  if (refuseInsecure(session)) return;
  if (arg === '') return session.err('Syntax: USER name');
  session.pendingUser = arg;
  session.ok('Send PASS');
}

/** PASS password (the rest of the line: passwords may contain spaces). */
export async function passCommand(session: POP3Session, arg: string): Promise<void> {
  const user = session.pendingUser;
  session.pendingUser = undefined;
  if (refuseInsecure(session)) return;
  if (user === undefined) return session.err('Send USER first');
  const expected = session.config.lookup(user);
  if (expected === undefined || !safeEqual(expected, arg)) return failed(session, 'PASS');
  await enter(session, user);
}

/** APOP name digest (RFC 1939 §7): MD5 of the greeting's timestamp followed by the password. */
export async function apopCommand(session: POP3Session, arg: string): Promise<void> {
  if (!session.config.apop) return session.err('APOP not available');
  if (refuseInsecure(session)) return;
  const m = /^(\S+) ([0-9a-fA-F]{32})$/.exec(arg);
  if (!m) return session.err('Syntax: APOP name digest');
  const password = session.config.lookup(m[1]!);
  const digest = createHash('md5')
    .update(session.timestamp + (password ?? '\0'))
    .digest('hex');
  if (password === undefined || !safeEqual(digest, m[2]!.toLowerCase())) return failed(session, 'APOP');
  await enter(session, m[1]!);
}

/** AUTH [mechanism [initial-response]] (RFC 5034; without arguments, the mechanism list). */
export async function authCommand(session: POP3Session, arg: string): Promise<void> {
  const config = session.config;
  if (arg === '') {
    session.ok('Supported mechanisms follow');
    for (const m of config.mechanisms) session.line(m);
    return session.line('.');
  }
  if (refuseInsecure(session)) return;
  const [name = '', initial, ...extra] = arg.split(' ');
  const wanted = name.toUpperCase();
  if (!config.mechanisms.includes(wanted) || !supportedServerMechanisms.includes(wanted) || extra.length > 0) {
    return session.err('Unsupported authentication mechanism');
  }
  const mechanism = createServerMechanism(wanted, config.sasl);
  let result: SaslServerResult;
  if (initial === undefined) result = mechanism.start(null);
  else {
    const decoded = decodeSaslResponse(initial);
    if (!decoded) return session.err('Invalid base64');
    result = mechanism.start(decoded);
  }
  for (let round = 0; round < 10; round++) {
    if (result.done) return enter(session, result.done.username);
    if (result.error !== undefined || !result.challenge) {
      // The mechanism's message is safe to log (no secrets, no user input).
      session.log(`SASL ${mechanism.name}: ${result.error ?? 'no challenge'}`);
      return failed(session, mechanism.name);
    }
    session.trace('S', '+ <challenge>');
    session.line(`+ ${result.challenge.toString('base64')}`);
    await session.channel.flush(true);
    const line = await session.readLine(MAX_SASL_LINE);
    session.trace('C', '****');
    // RFC 5034 §4: "*" cancels.
    if (line.text === '*') return session.err('Authentication cancelled');
    const decoded = line.bare ? undefined : decodeSaslResponse(line.text);
    if (!decoded) return session.err('Invalid base64');
    result = mechanism.step(decoded);
  }
  failed(session, mechanism.name);
}
