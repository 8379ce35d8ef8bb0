/**
 * The SMTP client: every verb of RFC 5321 and its extensions as a method with smtplib's
 * name, and whole transactions (sendMail, sendMessage). Calls are queued so they never
 * interleave; the handshake and capabilities are in session.ts.
 */
import { connect } from '@mail/transport';
import { SMTPNotSupportedError, SMTPRecipientRefusedError, SMTPReplyError, SMTPSenderRefusedError, guard } from './errors.js';
import { resolveSMTPOptions, type SMTPConnectOptions } from './options.js';
import * as cmd from './protocol/commands.js';
import { isPositive, type Reply } from './protocol/reply.js';
import { sendData, sendBdat, type BodyInput } from './data.js';
import { prepareMessage, type SendMessageOptions } from './message.js';
import { AddressCache } from './envelope.js';
import { EnvelopeMemo } from './envelope-memo.js';
import { sendMailOn, type Session, type SendMailOptions, type SendResult } from './send.js';
import { SMTPSession, type CallOptions } from './session.js';

export type { CallOptions, LoginOptions } from './session.js';

/**
 * An SMTP session.
 *
 * @example
 * ```ts
 * await using smtp = await SMTP.connect({ host: 'mail.example.com', port: 587 });
 * await smtp.login('user', 'password');
 * const result = await smtp.sendMail({ from: 'a@example.com', to: ['b@example.org'], message });
 * ```
 */
export class SMTP extends SMTPSession implements AsyncDisposable {
  /** What send.ts drives, made once (its parts never change). */
  #session: Session | undefined;

  /** Connects, reads the greeting, says EHLO, upgrades with STARTTLS and logs in as configured. */
  static async connect(options: SMTPConnectOptions): Promise<SMTP> {
    const resolved = resolveSMTPOptions(options);
    const conn = await connect({ ...resolved, protocol: 'smtp' });
    return SMTP.setUp(new SMTP(conn, resolved), options.signal);
  }

  /** MAIL FROM (RFC 5321 §4.1.1.2) with ESMTP parameters; refused → SMTPSenderRefusedError. */
  mail(from: string, params: cmd.MailParams = {}, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const line = guard(() => cmd.formatMailFrom(from, params));
      await this.channel.conn.writeCommand(line, { signal: opts.signal });
      const reply = await this.channel.read({ signal: opts.signal });
      if (!isPositive(reply)) throw new SMTPSenderRefusedError(from, line, reply);
      this.needsReset = true;
      return reply;
    }, opts);
  }

  /** RCPT TO (RFC 5321 §4.1.1.3) with DSN parameters; refused → SMTPRecipientRefusedError. */
  rcpt(to: string, params: cmd.RcptParams = {}, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const line = guard(() => cmd.formatRcptTo(to, params));
      await this.channel.conn.writeCommand(line, { signal: opts.signal });
      const reply = await this.channel.read({ signal: opts.signal });
      if (!isPositive(reply)) throw new SMTPRecipientRefusedError(to, line, reply);
      return reply;
    }, opts);
  }

  /**
   * DATA (RFC 5321 §4.1.1.4): sends the message normalised and dot-stuffed, resolves with the
   * reply after the final dot. Lost connection after the dot → SMTPOutcomeUnknownError.
   */
  data(message: BodyInput, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const reply = await sendData(this.channel, message, opts.signal);
      this.needsReset = false;
      return reply;
    }, opts);
  }

  /** BDAT (RFC 3030): one chunk (line endings normalised), `last` ends the message. */
  bdat(chunk: string | Uint8Array, opts: CallOptions & { last?: boolean } = {}): Promise<Reply> {
    return this.enqueue(async () => {
      if (!this.hasExtension('CHUNKING')) throw new SMTPNotSupportedError('the server does not offer CHUNKING');
      const reply = await sendBdat(this.channel, chunk, opts.last === true, opts.signal);
      if (opts.last === true) this.needsReset = false;
      return reply;
    }, opts);
  }

  /** RSET (RFC 5321 §4.1.1.5). */
  rset(opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const reply = await this.exchange('RSET', 'RSET', isPositive, opts.signal);
      this.needsReset = false;
      return reply;
    }, opts);
  }

  /** NOOP (RFC 5321 §4.1.1.9). */
  noop(opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => this.exchange('NOOP', 'NOOP', isPositive, opts.signal), opts);
  }

  /** VRFY (RFC 5321 §4.1.1.6); 250, 251 and 252 resolve. */
  verify(address: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => {
      const line = guard(() => cmd.formatWithArgument('VRFY', address));
      return this.exchange(line, line, isPositive, opts.signal);
    }, opts);
  }

  /** EXPN (RFC 5321 §4.1.1.7). */
  expn(list: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => {
      const line = guard(() => cmd.formatWithArgument('EXPN', list));
      return this.exchange(line, line, isPositive, opts.signal);
    }, opts);
  }

  /** HELP (RFC 5321 §4.1.1.8); 211 and 214 resolve. */
  help(topic?: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => {
      const line = guard(() => cmd.formatWithArgument('HELP', topic));
      return this.exchange(line, line, isPositive, opts.signal);
    }, opts);
  }

  /**
   * Any command line (smtplib's docmd): resolves with 2xx and 3xx replies, throws
   * SMTPReplyError on 4xx/5xx. CR, LF and NUL are refused before anything is written.
   */
  command(line: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const checked = guard(() => cmd.formatCommand(line));
      const secret = /^\s*AUTH\b/i.test(checked);
      const shown = secret ? checked.split(/\s+/).slice(0, 2).join(' ') : checked;
      await this.channel.conn.writeCommand(checked, { signal: opts.signal, ...(secret ? { redactAfter: 2 } : {}) });
      const reply = await this.channel.read({ signal: opts.signal });
      if (reply.code >= 400) throw new SMTPReplyError(shown, reply);
      return reply;
    }, opts);
  }

  /** QUIT (RFC 5321 §4.1.1.10), then closes the connection whatever the reply. */
  quit(opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      try {
        return await this.exchange('QUIT', 'QUIT', (r) => r.code === 221, opts.signal);
      } finally {
        await this.channel.conn.close();
      }
    }, opts);
  }

  /** Closes the connection without QUIT (smtplib's close). */
  async close(): Promise<void> {
    await this.channel.conn.close();
  }

  /** The whole transaction: see {@link SendMailOptions} and {@link SendResult}. */
  sendMail(options: SendMailOptions): Promise<SendResult> {
    return sendMailOn((this.#session ??= this.session()), options);
  }

  /**
   * smtplib's send_message: the envelope from the headers (Sender/From; To, Cc, Bcc; the
   * topmost Resent-* block when resent), Bcc removed from what is sent.
   */
  async sendMessage(message: BodyInput, options: SendMessageOptions = {}): Promise<SendResult> {
    return this.sendMail(await prepareMessage(message, options));
  }

  /** @internal What send.ts drives. */
  protected session(): Session {
    return { channel: this.channel, queue: this.queue, smtp: this, lmtp: false, addresses: new AddressCache(), envelopes: new EnvelopeMemo() };
  }

  /** QUIT if still connected (errors ignored), then close. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.closed) await this.quit().catch(() => undefined);
    await this.close().catch(() => undefined);
  }
}

