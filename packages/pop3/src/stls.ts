/**
 * STLS (RFC 2595 §4): the upgrade to TLS, with no plaintext fallback when TLS is required.
 */
import { MailError } from '@mail/transport';
import type { Core } from './core.js';
import { POP3ReplyError } from './errors.js';

/**
 * Upgrades the session to TLS. With `required` (security 'starttls'), CAPA must list STLS
 * and STLS must be accepted, or the connection is closed with `MAIL_TLS_REQUIRED` before
 * any credential is written. Bytes after the go-ahead are `MAIL_STARTTLS_INJECTION` (checked
 * by the transport). Afterwards everything learned in plaintext is dropped and CAPA is
 * asked again (RFC 2595 §4: the client MUST discard cached capabilities).
 */
export async function startTLS(core: Core, signal: AbortSignal | undefined, required: boolean): Promise<void> {
  core.assertOpen();
  if (core.conn.secure) throw new MailError('MAIL_INVALID_ARGUMENT', 'STLS: TLS is already active');
  if (core.state !== 'AUTHORIZATION') {
    throw new MailError('MAIL_INVALID_ARGUMENT', 'STLS is only allowed in the AUTHORIZATION state (RFC 2595 §4)');
  }
  if (required) {
    const caps = await core.refreshCapabilities(signal);
    if (caps?.stls !== true) {
      throw core.fail(
        new MailError(
          'MAIL_TLS_REQUIRED',
          caps === undefined
            ? 'POP3 server does not answer CAPA, so STLS is not offered; refusing to continue without TLS'
            : 'POP3 server does not offer STLS; refusing to continue without TLS',
        ),
      );
    }
  }
  try {
    await core.exchange('STLS', { signal });
  } catch (error) {
    if (required && POP3ReplyError.is(error)) {
      throw core.fail(new MailError('MAIL_TLS_REQUIRED', `POP3 server refused STLS (${error.message}); refusing to continue without TLS`, { cause: error }));
    }
    throw error;
  }
  try {
    await core.conn.upgradeToTLS(signal === undefined ? {} : { signal });
  } catch (error) {
    throw MailError.is(error) ? core.fail(error) : error;
  }
  core.capabilities = undefined;
  core.capaSupported = true;
  await core.refreshCapabilities(signal);
}
