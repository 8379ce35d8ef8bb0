/**
 * One `sendMail()` transaction on the wire: planning, the pipelined envelope (RFC 2920),
 * DATA or BDAT (RFC 3030), the replies and the result. Queued by send.ts.
 */
import { SMTPDataError, SMTPRecipientRefusedError, SMTPRecipientsRefusedError, SMTPSenderRefusedError } from './errors.js';
import { prepareBody, prepareWhole, type PreparedBody } from './body.js';
import { readFinalReply, writeBdatBody, writeDataBody } from './data.js';
import { EnvelopeReplies } from './envelope-replies.js';
import type { Addresses, EnvelopePlan } from './envelope.js';
import { formatBdat } from './protocol/commands.js';
import { isPositive, type Reply } from './protocol/reply.js';
import type { QueueTask } from './queue.js';
import { lmtpDelivered, recipientResult, sendResult, type RecipientResult, type SendMailOptions, type SendResult } from './result.js';
import type { Session } from './send.js';

// Messages up to this size ride in the envelope's write as one `BDAT n LAST`.
const INLINE_BDAT = 256 * 1024;

interface Written {
  plan: EnvelopePlan;
  reset: boolean;
  /** The message went with the envelope (`BDAT n LAST`). */
  inline: boolean;
}

/** One queued `sendMail()`. */
export class Transaction implements QueueTask<SendResult> {
  readonly signal: AbortSignal | undefined;
  readonly #s: Session;
  readonly #options: SendMailOptions;
  readonly #addresses: Addresses;
  #body: PreparedBody | undefined;
  #written: Written | undefined;
  #bytes = 0;

  constructor(session: Session, options: SendMailOptions, addresses: Addresses) {
    this.signal = options.signal;
    this.#s = session;
    this.#options = options;
    this.#addresses = addresses;
  }

  /**
   * A string or bytes message, normalised and inspected when first needed: when the
   * transaction is next in line (its envelope is written early) or runs, not when it is
   * queued, so thousands of queued calls do not keep thousands of prepared bodies alive
   * (they would survive into the old generation; prepared late, they die young).
   */
  #whole(): PreparedBody | undefined {
    const message = this.#options.message;
    if (this.#body === undefined && (typeof message === 'string' || message instanceof Uint8Array)) this.#body = prepareWhole(message);
    return this.#body;
  }

  #plan(body: PreparedBody): EnvelopePlan {
    const smtp = this.#s.smtp;
    return this.#s.envelopes.plan(this.#options, this.#addresses, body, smtp.capabilities, { secure: smtp.secure, chunking: smtp.options.chunking !== false });
  }

  get #pipelining(): boolean {
    const smtp = this.#s.smtp;
    return smtp.options.pipelining !== false && smtp.capabilities.keywords.has('PIPELINING');
  }

  /** The envelope (and a small BDAT message) as bytes for the previous transaction's last write. */
  prewrite(reset: boolean): Buffer | undefined {
    if (!this.#pipelining) return undefined;
    const body = this.#whole();
    if (body === undefined) return undefined;
    let plan: EnvelopePlan;
    try {
      plan = this.#plan(body);
    } catch {
      return undefined; // It fails again, properly reported, when it runs.
    }
    const inline = plan.body.bdat && body.inspector.info.size <= INLINE_BDAT;
    if (plan.body.bdat && !inline) return undefined;
    this.#written = { plan, reset, inline };
    const bytes = this.#envelopeBytes(plan, reset, inline);
    this.#bytes += bytes.length;
    return bytes;
  }

  #envelopeBytes(plan: EnvelopePlan, reset: boolean, inline: boolean): Buffer {
    const conn = this.#s.channel.conn;
    let text = '';
    if (reset) {
      conn.trace('c', 'RSET');
      text = 'RSET\r\n';
    }
    conn.trace('c', plan.mailLine);
    text += `${plan.mailLine}\r\n`;
    for (const r of plan.recipients) {
      conn.trace('c', r.line);
      text += `${r.line}\r\n`;
    }
    if (!plan.body.bdat) {
      conn.trace('c', 'DATA');
      text += 'DATA\r\n';
    }
    const head = Buffer.from(text, 'utf8');
    if (!inline) return head;
    const data = this.#body!.head.length === 1 ? this.#body!.head[0]! : Buffer.concat(this.#body!.head);
    const bdat = formatBdat(data.length, true);
    conn.trace('c', bdat);
    return Buffer.concat([head, Buffer.from(`${bdat}\r\n`), data]);
  }

  /** The next queued transaction's envelope, for appending to our last write. */
  #claimNext(reset: boolean): Buffer | undefined {
    return this.#s.queue.prewriteNext(reset);
  }

  /**
   * A pipelined reply that is already buffered (they arrive several per network read), taken
   * synchronously; undefined when there is none yet, or when the reply must be read another
   * way (commands sent one by one; after `BDAT LAST`, where a failure means outcome unknown).
   */
  #buffered(other: boolean): Reply | undefined {
    if (other || this.signal?.aborted === true) return undefined;
    return this.#s.channel.readBuffered();
  }

  /** The next reply; without pipelining the command is written first. */
  async #say(line: string, sequential: boolean, inline: boolean): Promise<Reply> {
    const channel = this.#s.channel;
    const signal = this.signal;
    if (sequential) {
      await channel.conn.writeCommand(line, { signal });
      this.#bytes += line.length + 2;
    }
    // Once `BDAT LAST` went out, any failure to read the replies leaves the outcome unknown.
    return inline ? readFinalReply(channel, 'BDAT LAST', signal) : channel.read({ signal });
  }

  start(): Promise<SendResult> {
    const written = this.#written;
    // The usual case of a queue of messages: the envelope went out with the previous
    // message, DATA follows (no CHUNKING), only the replies are left to read.
    if (written !== undefined && !written.plan.body.bdat) {
      this.#s.smtp.needsReset = true;
      return this.#pipelinedData(performance.now(), this.#body!, written.plan, written.reset, true);
    }
    return this.#run();
  }

  /** A pipelined DATA transaction: the envelope in one write (unless already written), then the body. */
  async #pipelinedData(start: number, body: PreparedBody, plan: EnvelopePlan, reset: boolean, written: boolean): Promise<SendResult> {
    const channel = this.#s.channel;
    const signal = this.signal;
    if (!written) {
      const bytes = this.#envelopeBytes(plan, reset, false);
      await channel.conn.write(bytes, { signal, trace: `<pipelined: ${plan.recipients.length + 1 + (reset ? 1 : 0)} commands>` });
      this.#bytes += bytes.length;
    }
    // Replies, in the order of the commands (RFC 2920 §3.1).
    const replies = new EnvelopeReplies(plan, reset, channel.conn);
    for (;;) {
      const reply = this.#buffered(false) ?? (await channel.read({ signal }));
      if (replies.take(reply)) break;
    }
    const envelopeDone = performance.now();
    if (!replies.mailOk || replies.accepted.length === 0 || replies.data!.code !== 354) return this.#dataRefused(replies);
    this.#bytes += await writeDataBody({ channel, body, plan: plan.body, maxSize: plan.maxSize, signal, after: () => this.#claimNext(false) });
    const finals = this.#s.lmtp ? await this.#readFinals(replies.accepted.length, 'DATA') : [await readFinalReply(channel, 'DATA', signal)];
    return this.#result(start, envelopeDone, replies.accepted, replies.rejected, plan, finals);
  }

  /** No 354, or nobody to send to: a 354 gets an empty message (RFC 2920 §3.1), then the error. */
  async #dataRefused(replies: EnvelopeReplies): Promise<never> {
    const go = replies.data!;
    const mailOk = replies.mailOk;
    if (go.code === 354) await this.#emptyData();
    if (!mailOk || replies.accepted.length === 0) return this.#refused(mailOk, replies.mail!, replies.plan, replies.refusals);
    throw new SMTPDataError('DATA', go);
  }

  async #run(): Promise<SendResult> {
    const start = performance.now();
    const signal = this.signal;
    const channel = this.#s.channel;
    const smtp = this.#s.smtp;
    const written = this.#written;
    // A prewritten envelope's replies may already be buffered; otherwise nothing may be.
    if (!written) await channel.checkUnsolicited(signal);
    const body = this.#whole() ?? (this.#body = await prepareBody(this.#options.message, this.#options.lookAhead));
    const pipelining = this.#pipelining;
    const plan = written?.plan ?? this.#plan(body);
    const reset = written ? written.reset : smtp.needsReset;
    const inline = written ? written.inline : plan.body.bdat && body.complete && body.inspector.info.size <= INLINE_BDAT && pipelining;
    smtp.needsReset = true;
    if (pipelining && !plan.body.bdat) return this.#pipelinedData(start, body, plan, reset, written !== undefined);

    if (written) {
      if (inline) {
        // Our whole message is out already: keep one transaction in flight behind us.
        const next = this.#claimNext(true);
        if (next) await channel.conn.write(next, { signal, trace: '<pipelined envelope>' });
      }
    } else if (pipelining) {
      const bytes = this.#envelopeBytes(plan, reset, inline);
      const next = inline ? this.#claimNext(true) : undefined;
      await channel.conn.write(next ? Buffer.concat([bytes, next]) : bytes, { signal, trace: `<pipelined: ${plan.recipients.length + 1 + (reset ? 1 : 0)} commands>` });
      this.#bytes += bytes.length;
    }

    // Replies, in the order of the commands (RFC 2920 §3.1).
    const sequential = !pipelining;
    const other = sequential || inline;
    if (reset) {
      const r = this.#buffered(other) ?? (await this.#say('RSET', sequential, inline));
      if (!isPositive(r)) {
        // The pipelined commands behind it would answer out of turn: the session is over.
        if (!sequential) channel.conn.destroy();
        throw new SMTPDataError('RSET', r);
      }
    }
    const mailReply = this.#buffered(other) ?? (await this.#say(plan.mailLine, sequential, inline));
    if (!isPositive(mailReply) && sequential) {
      smtp.needsReset = false;
      throw new SMTPSenderRefusedError(this.#options.from, plan.mailLine, mailReply);
    }
    const accepted: RecipientResult[] = [];
    const rejected: RecipientResult[] = [];
    const refusals: SMTPRecipientRefusedError[] = [];
    for (const r of plan.recipients) {
      const reply = this.#buffered(other) ?? (await this.#say(r.line, sequential, inline));
      if (isPositive(reply)) accepted.push(recipientResult(r.address, reply));
      else {
        rejected.push(recipientResult(r.address, reply));
        refusals.push(new SMTPRecipientRefusedError(r.address, r.line, reply));
      }
    }
    const envelopeDone = performance.now();
    const mailOk = isPositive(mailReply);

    let finals: Reply[];
    if (plan.body.bdat) {
      if (inline) {
        finals = await this.#readFinals(mailOk ? accepted.length : 0, 'BDAT LAST');
      } else {
        if (!mailOk || accepted.length === 0) return this.#refused(mailOk, mailReply, plan, refusals);
        const { bytes, failed } = await writeBdatBody({ channel, body, plan: plan.body, maxSize: plan.maxSize, signal, pipelining, after: () => this.#claimNext(true) });
        this.#bytes += bytes;
        finals = await this.#readFinals(accepted.length, 'BDAT LAST');
        if (failed !== undefined) throw new SMTPDataError('BDAT', failed);
      }
      if (!mailOk || accepted.length === 0) return this.#refused(mailOk, mailReply, plan, refusals);
    } else {
      const go = sequential && (!mailOk || accepted.length === 0) ? undefined : (this.#buffered(sequential) ?? (await this.#say('DATA', sequential, false)));
      if (!mailOk || accepted.length === 0 || go?.code !== 354) {
        if (go?.code === 354) await this.#emptyData(); // RFC 2920 §3.1: end the data at once.
        if (!mailOk || accepted.length === 0) return this.#refused(mailOk, mailReply, plan, refusals);
        throw new SMTPDataError('DATA', go!);
      }
      this.#bytes += await writeDataBody({ channel, body, plan: plan.body, maxSize: plan.maxSize, signal, after: () => this.#claimNext(false) });
      finals = this.#s.lmtp ? await this.#readFinals(accepted.length, 'DATA') : [await readFinalReply(channel, 'DATA', signal)];
    }
    return this.#result(start, envelopeDone, accepted, rejected, plan, finals);
  }

  /** SMTP: one final reply; LMTP: one per accepted recipient (RFC 2033 §4.2). */
  async #readFinals(accepted: number, command: string): Promise<Reply[]> {
    const count = this.#s.lmtp ? Math.max(accepted, 1) : 1;
    const finals: Reply[] = [];
    for (let i = 0; i < count; i++) finals.push(await readFinalReply(this.#s.channel, command, this.#options.signal));
    return finals;
  }

  async #emptyData(): Promise<void> {
    await this.#s.channel.conn.write('.\r\n', { signal: this.#options.signal });
    await this.#s.channel.read({ signal: this.#options.signal }).catch(() => undefined);
  }

  #refused(mailOk: boolean, mailReply: Reply, plan: EnvelopePlan, refusals: SMTPRecipientRefusedError[]): never {
    if (!mailOk) {
      this.#s.smtp.needsReset = false;
      throw new SMTPSenderRefusedError(this.#options.from, plan.mailLine, mailReply);
    }
    throw new SMTPRecipientsRefusedError(refusals);
  }

  #result(start: number, envelopeDone: number, accepted: RecipientResult[], rejected: RecipientResult[], plan: EnvelopePlan, finals: Reply[]): SendResult {
    const command = plan.body.bdat ? 'BDAT LAST' : 'DATA';
    this.#s.smtp.needsReset = false;
    let delivered = accepted;
    if (this.#s.lmtp) delivered = lmtpDelivered(accepted, rejected, finals, command);
    else if (!isPositive(finals[0]!)) throw new SMTPDataError(command, finals[0]!);
    const end = performance.now();
    return sendResult(delivered, rejected, finals[finals.length - 1]!, { envelope: envelopeDone - start, data: end - envelopeDone, total: end - start }, this.#bytes);
  }
}
