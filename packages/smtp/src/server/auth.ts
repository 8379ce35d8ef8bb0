/**
 * AUTH (RFC 4954): SASL exchanges over `334` continuations.
 */
import { createServerMechanism } from './sasl.js';
import type { Session } from './session.js';

/** RFC 4648 base64, strictly (no whitespace, correct padding). */
function decodeBase64(text: string): Buffer | undefined {
  if (text === '=') return Buffer.alloc(0); // RFC 4954 §4: "=" is an empty initial response
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** AUTH mechanism [initial-response]. */
export async function handleAuth(session: Session, arg: string): Promise<void> {
  const config = session.config;
  if (!config.lookup) return session.bad(502, '5.5.1', 'AUTH not available');
  if (!session.extended) return session.bad(503, '5.5.1', 'Send EHLO first');
  if (session.user !== undefined) return session.bad(503, '5.5.1', 'Already authenticated');
  if (session.envelope) return session.bad(503, '5.5.1', 'AUTH not allowed during a mail transaction');
  // RFC 4954 §4 and SECURITY.md: no credentials over plaintext unless explicitly allowed.
  if (!session.secure && !config.options.allowInsecureAuth) return session.bad(538, '5.7.11', 'Encryption required for requested authentication mechanism');
  const [name = '', initial, ...extra] = arg.split(' ');
  const mechanism = config.mechanisms.includes(name.toUpperCase())
    ? createServerMechanism(name, { lookup: config.lookup, hostname: config.hostname })
    : undefined;
  if (!mechanism || extra.length > 0) return session.bad(504, '5.5.4', 'Unrecognized authentication type');
  let response: Buffer | null = null;
  if (initial !== undefined) {
    const decoded = decodeBase64(initial);
    if (!decoded) return session.bad(501, '5.5.2', 'Invalid base64 in initial response');
    response = decoded;
  }
  for (let round = 0; round < 10; round++) {
    const step = await mechanism.step(response);
    if (step.type === 'success') {
      session.user = step.user;
      session.log(`authenticated as ${step.user} (${mechanism.name})`);
      return session.send(235, '2.7.0', 'Authentication successful');
    }
    if (step.type === 'failure') {
      session.log(`authentication failed (${mechanism.name})`);
      if (step.reason === 'malformed') return session.bad(501, '5.5.2', 'Malformed authentication response');
      return session.bad(535, '5.7.8', 'Authentication credentials invalid');
    }
    // "334 " with a space even for an empty challenge (RFC 4954 §4 continue-req).
    session.trace('S', `334 ${step.data.length === 0 ? '' : '<challenge>'}`);
    session.channel.send(`334 ${step.data.toString('base64')}\r\n`);
    const line = await session.readLine();
    session.trace('C', '****');
    // RFC 4954 §4: "*" cancels the exchange.
    if (line.text === '*') return session.bad(501, '5.0.0', 'Authentication cancelled');
    const decoded = line.bare ? undefined : decodeBase64(line.text);
    if (!decoded) return session.bad(501, '5.5.2', 'Invalid base64 in response');
    response = decoded;
  }
  return session.bad(535, '5.7.8', 'Too many authentication rounds');
}
