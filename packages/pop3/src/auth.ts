/**
 * Logging in (RFC 1939 §7 USER/PASS and APOP, RFC 5034 AUTH) and the `login` policy.
 */
import { createHash } from 'node:crypto';
import {
  assertSafeArgument,
  chooseMechanism,
  createMechanism,
  MailError,
  type SaslCredentials,
  type SaslMechanism,
} from '@mail/transport';
import type { Core } from './core.js';
import { loginError, POP3_NOT_SUPPORTED, POP3Error } from './errors.js';
import type { CallOptions } from './options.js';
import { saslExchange } from './sasl-exchange.js';

/** Credentials for {@link auth}: what the chosen SASL mechanism needs. */
export type AuthCredentials = SaslCredentials;

/** Options of `login`. */
export interface LoginOptions extends CallOptions {
  /** Only these SASL mechanisms (case-insensitive); none offered → error, never a weaker method. */
  mechanisms?: string[];
  /** Use APOP when the server offers it and no SASL mechanism fits (MD5: off by default). */
  apop?: boolean;
}

/** The APOP digest (RFC 1939 §7): lower-case hex MD5 of the timestamp and the secret. */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash('md5').update(timestamp + secret, 'utf8').digest('hex');
}

function checkState(core: Core, what: string): void {
  core.assertOpen();
  if (core.state !== 'AUTHORIZATION') {
    throw new MailError('MAIL_INVALID_ARGUMENT', `${what}: already logged in (only valid in the AUTHORIZATION state)`);
  }
  core.assertMayAuthenticate(what);
}

/** After a successful login: TRANSACTION state, capabilities asked again (RFC 2449 §5). */
async function loggedIn(core: Core, signal: AbortSignal | undefined): Promise<void> {
  core.state = 'TRANSACTION';
  if (core.capaSupported) await core.refreshCapabilities(signal);
}

/** USER name. */
export async function user(core: Core, name: string, options: CallOptions = {}): Promise<string> {
  checkState(core, 'USER');
  assertSafeArgument(name, 'user name');
  return (await core.command(`USER ${name}`, { ...options, onError: loginError })).text;
}

/** PASS password; on success the session is in TRANSACTION state. */
export async function pass(core: Core, password: string, options: CallOptions = {}): Promise<string> {
  checkState(core, 'PASS');
  assertSafeArgument(password, 'password');
  const { signal } = options;
  return core.queue.run(async () => {
    const reply = await core.exchange(`PASS ${password}`, { signal, redactAfter: 1, label: 'PASS ****', onError: loginError });
    await loggedIn(core, signal);
    return reply.text;
  }, signal);
}

/** APOP name digest, with the timestamp of the greeting. */
export async function apop(core: Core, name: string, secret: string, options: CallOptions = {}): Promise<string> {
  checkState(core, 'APOP');
  assertSafeArgument(name, 'user name');
  if (name.includes(' ')) throw new MailError('MAIL_INVALID_ARGUMENT', 'APOP user name must not contain spaces');
  const timestamp = core.timestamp;
  if (timestamp === undefined) {
    throw new POP3Error(POP3_NOT_SUPPORTED, 'APOP not offered: the greeting has no timestamp (RFC 1939 §7)');
  }
  const { signal } = options;
  const line = `APOP ${name} ${apopDigest(timestamp, secret)}`;
  return core.queue.run(async () => {
    const reply = await core.exchange(line, { signal, redactAfter: 2, label: `APOP ${name} ****`, onError: loginError });
    await loggedIn(core, signal);
    return reply.text;
  }, signal);
}

/** AUTH with a mechanism name or instance (RFC 5034), initial response when the mechanism has one. */
export async function auth(
  core: Core,
  mechanism: string | SaslMechanism,
  credentials: AuthCredentials,
  options: CallOptions = {},
): Promise<string> {
  const name = typeof mechanism === 'string' ? mechanism.toUpperCase() : mechanism.name;
  checkState(core, `AUTH ${name}`);
  const offers = core.capabilities?.sasl ?? [];
  const mech =
    typeof mechanism === 'string'
      ? createMechanism(
          name,
          credentials,
          {
            host: core.conn.host,
            secure: core.conn.secure,
            channelBinding: (kind: 'tls-exporter' | 'tls-unique') => core.conn.channelBinding(kind),
          },
          { serverOffersPlus: !name.endsWith('-PLUS') && offers.includes(`${name}-PLUS`) },
        )
      : mechanism;
  const { signal } = options;
  return core.queue.run(async () => {
    const reply = await saslExchange(core, mech, signal);
    await loggedIn(core, signal);
    return reply.text;
  }, signal);
}

/**
 * The strongest login both sides allow: a SASL mechanism by rank (SCRAM > CRAM-MD5 > PLAIN
 * > LOGIN), then APOP if `options.apop`, then USER/PASS. With `mechanisms`, only those.
 */
export async function login(core: Core, username: string, password: string, options: LoginOptions = {}): Promise<string> {
  checkState(core, 'login');
  const credentials = { username, password };
  const caps = core.capabilities;
  const secure = core.conn.secure;
  const offers = caps?.sasl ?? [];
  const name =
    offers.length === 0
      ? undefined
      : chooseMechanism(offers, {
          credentials,
          secure,
          allowPlaintext: core.allowPlaintextAuth,
          channelBinding: secure && core.conn.channelBinding('tls-exporter') !== undefined,
          ...(options.mechanisms === undefined ? {} : { allowed: options.mechanisms }),
        });
  if (name !== undefined) return auth(core, name, credentials, options);
  if (options.mechanisms !== undefined) {
    throw new POP3Error(
      POP3_NOT_SUPPORTED,
      `none of the SASL mechanisms ${options.mechanisms.join(', ')} is offered (server: ${offers.join(' ') || 'none'})`,
    );
  }
  if (options.apop === true && core.timestamp !== undefined) return apop(core, username, password, options);
  // RFC 2449 §6.1: without the USER capability a CAPA-speaking server has no USER/PASS.
  if (caps !== undefined && !caps.has('USER')) {
    throw new POP3Error(POP3_NOT_SUPPORTED, 'POP3 server offers no login method this client can use');
  }
  await user(core, username, options);
  return pass(core, password, options);
}
