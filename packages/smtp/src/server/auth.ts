/**
 * AUTH (RFC 4954): SASL exchanges over `334` continuations, with @mail/transport's server
 * mechanisms.
 */
import { createServerMechanism, decodeSaslResponse, supportedServerMechanisms, type SaslServerResult } from '@mail/transport';
import type { Session } from './session.js';

/** AUTH mechanism [initial-response]. */
export async function handleAuth(session: Session, arg: string): Promise<void> {
  const config = session.config;
  if (!config.sasl) return session.bad(502, '5.5.1', 'AUTH not available');
  if (!session.extended) return session.bad(503, '5.5.1', 'Send EHLO first');
  if (session.user !== undefined) return session.bad(503, '5.5.1', 'Already authenticated');
  if (session.envelope) return session.bad(503, '5.5.1', 'AUTH not allowed during a mail transaction');
  // RFC 4954 §4 and SECURITY.md: no credentials over plaintext unless explicitly allowed.
  if (!session.secure && !config.options.allowInsecureAuth) return session.bad(538, '5.7.11', 'Encryption required for requested authentication mechanism');
  const [name = '', initial, ...extra] = arg.split(' ');
  const wanted = name.toUpperCase();
  if (!config.mechanisms.includes(wanted) || !supportedServerMechanisms.includes(wanted) || extra.length > 0) {
    return session.bad(504, '5.5.4', 'Unrecognized authentication type');
  }
  const mechanism = createServerMechanism(wanted, config.sasl);
  let result: SaslServerResult;
  if (initial === undefined) result = mechanism.start(null);
  else {
    const decoded = decodeSaslResponse(initial);
    if (!decoded) return session.bad(501, '5.5.2', 'Invalid base64 in initial response');
    result = mechanism.start(decoded);
  }
  for (let round = 0; round < 10; round++) {
    if (result.done) {
      session.user = result.done.username;
      session.log(`authenticated as ${result.done.username} (${mechanism.name})`);
      return session.send(235, '2.7.0', 'Authentication successful');
    }
    if (result.error !== undefined || !result.challenge) {
      // The mechanism's message is safe to log (no secrets, no user input).
      session.log(`authentication failed (${mechanism.name}): ${result.error ?? 'no challenge'}`);
      return session.bad(535, '5.7.8', 'Authentication credentials invalid');
    }
    // "334 " with a space even for an empty challenge (RFC 4954 §4 continue-req).
    session.trace('S', `334 ${result.challenge.length === 0 ? '' : '<challenge>'}`);
    session.channel.send(`334 ${result.challenge.toString('base64')}\r\n`);
    const line = await session.readLine();
    session.trace('C', '****');
    // RFC 4954 §4: "*" cancels the exchange.
    if (line.text === '*') return session.bad(501, '5.0.0', 'Authentication cancelled');
    const decoded = line.bare ? undefined : decodeSaslResponse(line.text);
    if (!decoded) return session.bad(501, '5.5.2', 'Invalid base64 in response');
    result = mechanism.step(decoded);
  }
  return session.bad(535, '5.7.8', 'Too many authentication rounds');
}
