/**
 * The AUTH exchange on the wire (RFC 5034 §4), driving a sans-I/O SASL mechanism.
 */
import { MailError, type SaslMechanism } from '@mail/transport';
import type { Core } from './core.js';
import { loginError } from './errors.js';
import {
  encodeSaslResponse,
  formatAuthCommand,
  parseChallenge,
  parseStatusLine,
  SASL_CANCEL,
  type StatusLine,
} from './protocol/index.js';

/** Most challenges answered before giving up (SCRAM needs 2, LOGIN 2-3). */
const MAX_ROUNDS = 16;

/**
 * Runs AUTH with `mech` (the caller holds the queue). Every client line is redacted in the
 * trace; a `-ERR` maps through {@link loginError}. A mechanism that rejects a challenge
 * cancels the exchange with `*` (RFC 5034 §4) and throws its `MAIL_SASL` error. A server
 * that says `+OK` without proving itself (SCRAM) closes the connection with `MAIL_SASL`.
 */
export async function saslExchange(core: Core, mech: SaslMechanism, signal: AbortSignal | undefined): Promise<StatusLine> {
  core.assertReady();
  const label = `AUTH ${mech.name}`;
  const cmd = formatAuthCommand(mech.name, mech.clientFirst ? mech.start() : null);
  let pending = cmd.pending;
  await core.conn.writeCommand(cmd.line, { signal, redactAfter: cmd.redactAfter });
  for (let round = 0; round <= MAX_ROUNDS; round++) {
    const line = await core.conn.readLine({ signal, phase: 'command' });
    const challenge = parseChallenge(line);
    if (challenge === undefined) {
      const reply = core.unwrap(parseStatusLine(line));
      if (!reply.ok) throw loginError(label, reply);
      try {
        mech.finish();
      } catch (error) {
        // Logged in to a server that did not prove it knows the password: do not stay.
        throw core.fail(MailError.is(error) ? error : new MailError('MAIL_SASL', `${label}: server not verified`, { cause: error }));
      }
      return reply;
    }
    if (round === MAX_ROUNDS) break;
    const data = core.unwrap(challenge);
    let response: Buffer;
    if (pending !== null) {
      // RFC 5034 §4: an initial response too long for the command line answers the first, empty challenge.
      response = pending;
      pending = null;
    } else {
      try {
        response = mech.step(data);
      } catch (error) {
        await cancel(core, signal);
        throw error;
      }
    }
    await core.conn.writeCommand(encodeSaslResponse(response), { signal, redactAfter: 0 });
  }
  await cancel(core, signal);
  throw new MailError('MAIL_SASL', `${label}: more than ${MAX_ROUNDS} challenges; cancelled`);
}

/** Sends `*` and reads the server's `-ERR`, keeping the session in sync. */
async function cancel(core: Core, signal: AbortSignal | undefined): Promise<void> {
  await core.conn.writeCommand(SASL_CANCEL, { signal });
  const reply = await core.readStatus(signal);
  if (reply.ok) throw core.fail(new MailError('MAIL_PROTOCOL', 'POP3 server accepted a cancelled AUTH exchange'));
}
