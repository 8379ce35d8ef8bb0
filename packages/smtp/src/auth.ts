/**
 * SMTP AUTH (RFC 4954 §4): the exchange between a sans-I/O SASL mechanism from
 * `@mail/transport` and the server. Payloads are base64 on the wire and never traced.
 */
import { MailError, type SaslMechanism } from '@mail/transport';
import type { ReplyChannel } from './channel.js';
import { SMTPAuthenticationError, guard } from './errors.js';
import { formatAuth } from './protocol/commands.js';
import type { Reply } from './protocol/reply.js';

// Bound on 334 challenges: a hostile server could otherwise keep the exchange going forever.
const MAX_ROUNDS = 20;

/** Runs one AUTH exchange; resolves with the 235 reply, throws SMTPAuthenticationError otherwise. */
export async function authenticate(channel: ReplyChannel, mechanism: SaslMechanism, signal?: AbortSignal): Promise<Reply> {
  const command = `AUTH ${mechanism.name}`;
  const initial = mechanism.clientFirst ? mechanism.start() : null;
  // RFC 4954 §4: an empty initial response is sent as "=".
  const line = guard(() => formatAuth(mechanism.name, initial === null ? undefined : initial.length === 0 ? '=' : initial.toString('base64')));
  await channel.conn.writeCommand(line, { redactAfter: 2, signal });
  for (let round = 0; ; round++) {
    const reply = await channel.read({ signal });
    if (reply.code === 235) {
      mechanism.finish();
      return reply;
    }
    if (reply.code !== 334) throw new SMTPAuthenticationError(command, reply);
    if (round >= MAX_ROUNDS) {
      await cancel(channel, signal);
      throw new MailError('MAIL_SASL', `${command}: too many challenges from the server`);
    }
    const text = reply.lines[0]?.trim() ?? '';
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
      await cancel(channel, signal);
      throw new MailError('MAIL_PROTOCOL', `${command}: the server's challenge is not base64`);
    }
    let response: Buffer;
    try {
      response = mechanism.step(Buffer.from(text, 'base64'));
    } catch (error) {
      await cancel(channel, signal);
      throw error;
    }
    await channel.conn.writeCommand(response.toString('base64'), { redactAfter: 0, signal });
  }
}

/** RFC 4954 §4: "*" cancels the exchange; the server answers 501. */
async function cancel(channel: ReplyChannel, signal?: AbortSignal): Promise<void> {
  await channel.conn.writeCommand('*', { signal });
  await channel.read({ signal }).catch(() => undefined);
}
