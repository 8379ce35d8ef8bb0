/**
 * LMTP (RFC 2033): SMTP with LHLO instead of EHLO, usually over a Unix socket, and one
 * reply per accepted recipient after the message (after DATA and after BDAT LAST, §4.2),
 * so every recipient gets its own delivery result.
 */
import { createConnection } from 'node:net';
import { connect } from '@mail/transport';
import { SMTP } from './client.js';
import { resolveSMTPOptions, type SMTPConnectOptions } from './options.js';
import type { Session } from './send.js';

/** Options of {@link LMTP.connect}: like SMTP's, plus a Unix socket path. */
export interface LMTPConnectOptions extends Omit<SMTPConnectOptions, 'host'> {
  /** Host for TCP (default `localhost` with `path`). */
  host?: string;
  /** Unix socket path (Dovecot: `/var/run/dovecot/lmtp`); overrides host and port. */
  path?: string;
}

/**
 * An LMTP session. `sendMail()` resolves with `accepted`/`rejected` holding each recipient's
 * delivery reply; it throws SMTPRecipientsRefusedError only when no recipient got the message.
 *
 * @example
 * ```ts
 * await using lmtp = await LMTP.connect({ path: '/var/run/dovecot/lmtp', security: 'none' });
 * const { accepted, rejected } = await lmtp.sendMail({ from, to: ['a@x', 'b@x'], message });
 * ```
 */
export class LMTP extends SMTP {
  /** Connects (TCP, or the Unix socket `path`), reads the greeting, says LHLO. */
  static override async connect(options: LMTPConnectOptions): Promise<LMTP> {
    const { path, ...rest } = options;
    const host = rest.host ?? 'localhost';
    // LMTP has no registered port; 24 is the customary one (RFC 2033 §6 leaves it to the site).
    const resolved = resolveSMTPOptions({ ...rest, host, security: rest.security ?? (path !== undefined ? 'none' : 'starttls') }, 24);
    const socketFactory = path === undefined ? rest.socketFactory : (): ReturnType<typeof createConnection> => createConnection({ path });
    const conn = await connect({ ...resolved, socketFactory, protocol: 'lmtp' });
    return SMTP.setUp(new LMTP(conn, resolved), options.signal);
  }

  /** @internal LHLO; LMTP has no HELO fallback (RFC 2033 §4.1). */
  protected override async greet(signal?: AbortSignal): Promise<void> {
    await this.lhlo(this.options.localName, signal);
  }

  /** LHLO (RFC 2033 §4.1); replaces the capabilities. */
  override ehlo(name = this.options.localName, opts: { signal?: AbortSignal } = {}): ReturnType<SMTP['ehlo']> {
    return this.enqueue(() => this.lhlo(name, opts.signal), opts);
  }

  /** @internal */
  protected override session(): Session {
    return { ...super.session(), lmtp: true };
  }
}
