/**
 * AUTHORIZATION state (RFC 1939 §4, §7; RFC 5034): USER/PASS, APOP and SASL AUTH, then the
 * maildrop is locked and opened.
 */
import { createHash } from 'node:crypto';
import { createServerMechanism, safeEqual } from './sasl.js';
import { MAX_SASL_LINE, type POP3Session } from './session.js';

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
  try {
    session.user = user;
    session.mailbox = await config.options.openMailbox(user, session);
    session.messages = await session.mailbox.list();
  } catch (error) {
    session.log(`opening mailbox of ${user} failed: ${(error as Error).message}`);
    config.locked.delete(user);
    await session.mailbox?.close?.().catch(() => undefined);
    session.mailbox = undefined;
    session.user = undefined;
    return session.err('Unable to open mailbox', 'SYS/TEMP');
  }
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
  const expected = await session.config.lookup(user);
  if (expected === undefined || !safeEqual(expected, arg)) return failed(session, 'PASS');
  await enter(session, user);
}

/** APOP name digest (RFC 1939 §7): MD5 of the greeting's timestamp followed by the password. */
export async function apopCommand(session: POP3Session, arg: string): Promise<void> {
  if (!session.config.apop) return session.err('APOP not available');
  if (refuseInsecure(session)) return;
  const m = /^(\S+) ([0-9a-fA-F]{32})$/.exec(arg);
  if (!m) return session.err('Syntax: APOP name digest');
  const password = await session.config.lookup(m[1]!);
  const digest = createHash('md5')
    .update(session.timestamp + (password ?? '\0'))
    .digest('hex');
  if (password === undefined || !safeEqual(digest, m[2]!.toLowerCase())) return failed(session, 'APOP');
  await enter(session, m[1]!);
}

function decode(text: string): Buffer | undefined {
  if (text === '=') return Buffer.alloc(0);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
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
  const mechanism = config.mechanisms.includes(name.toUpperCase()) ? createServerMechanism(name, { lookup: config.lookup, hostname: config.hostname }) : undefined;
  if (!mechanism || extra.length > 0) return session.err('Unsupported authentication mechanism');
  let response: Buffer | null = null;
  if (initial !== undefined) {
    const decoded = decode(initial);
    if (!decoded) return session.err('Invalid base64');
    response = decoded;
  }
  for (let round = 0; round < 10; round++) {
    const step = await mechanism.step(response);
    if (step.type === 'success') return enter(session, step.user);
    if (step.type === 'failure') return step.reason === 'malformed' ? session.err('Malformed SASL response') : failed(session, mechanism.name);
    session.trace('S', '+ <challenge>');
    session.line(`+ ${step.data.toString('base64')}`);
    await session.channel.flush(true);
    const line = await session.readLine(MAX_SASL_LINE);
    session.trace('C', '****');
    // RFC 5034 §4: "*" cancels.
    if (line.text === '*') return session.err('Authentication cancelled');
    const decoded = line.bare ? undefined : decode(line.text);
    if (!decoded) return session.err('Invalid base64');
    response = decoded;
  }
  failed(session, mechanism.name);
}
