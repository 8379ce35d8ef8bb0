/**
 * `sendMail()`: one whole transaction. With PIPELINING (RFC 2920) the envelope — RSET when
 * needed, MAIL, every RCPT and DATA — goes out in one write and the replies are matched in
 * order; the next queued transaction's envelope rides on the write that ends this message.
 * With CHUNKING (RFC 3030) a small message goes in that same write as `BDAT n LAST`.
 */
import { SMTPDataError, SMTPRecipientRefusedError, SMTPRecipientsRefusedError, SMTPSenderRefusedError, guard } from './errors.js';
import { prepareBody, prepareWhole, type PreparedBody } from './body.js';
import type { ReplyChannel } from './channel.js';
import type { SMTP } from './client.js';
import { readFinalReply, writeBdatBody, writeDataBody } from './data.js';
import { normalizeRecipients, planEnvelope, type EnvelopePlan } from './envelope.js';
import { formatBdat, formatEnvid, formatNotify, formatOrcpt } from './protocol/commands.js';
import { normalizeAddress } from './protocol/address.js';
import { hasKeyword } from './protocol/ehlo.js';
import { isPositive, parseQueueId, type Reply } from './protocol/reply.js';
import type { CommandQueue } from './queue.js';
import { recipientResult, type RecipientResult, type SendMailOptions, type SendResult } from './result.js';

export type { SendMailOptions, SendResult } from './result.js';

/** What a transaction needs from its session. */
export interface Session {
  channel: ReplyChannel;
  queue: CommandQueue;
  smtp: SMTP;
  /** LMTP: one reply per accepted recipient after the message (RFC 2033 §4.2). */
  lmtp: boolean;
}

// Messages up to this size ride in the envelope's write as one `BDAT n LAST`.
const INLINE_BDAT = 256 * 1024;

/** Queues one transaction on the session. */
export function sendMailOn(session: Session, options: SendMailOptions): Promise<SendResult> {
  try {
    checkEarly(options);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  const message = options.message;
  const whole = typeof message === 'string' || message instanceof Uint8Array ? prepareWhole(message) : undefined;
  const tx = new Transaction(session, options, whole);
  return session.queue.run(() => tx.run(), { signal: options.signal, prewrite: whole ? (reset) => tx.prewrite(reset) : undefined });
}

/** CR/LF/NUL and syntax in addresses and DSN values fail here, before the call is queued. */
function checkEarly(options: SendMailOptions): void {
  guard(() => normalizeAddress(options.from, 'sender address', { allowNull: true }));
  normalizeRecipients(options.to);
  guard(() => {
    if (options.dsn?.envid !== undefined) formatEnvid(options.dsn.envid);
    if (options.dsn?.notify !== undefined) formatNotify(options.dsn.notify);
    for (const r of typeof options.to === 'string' ? [] : options.to) {
      if (typeof r === 'string') continue;
      if (r.notify !== undefined) formatNotify(r.notify);
      if (r.orcpt !== undefined) formatOrcpt(r.orcpt);
    }
  });
}

interface Written {
  plan: EnvelopePlan;
  reset: boolean;
  /** The message went with the envelope (`BDAT n LAST`). */
  inline: boolean;
}

class Transaction {
  readonly #s: Session;
  readonly #options: SendMailOptions;
  #body: PreparedBody | undefined;
  #written: Written | undefined;
  #bytes = 0;

  constructor(session: Session, options: SendMailOptions, body: PreparedBody | undefined) {
    this.#s = session;
    this.#options = options;
    this.#body = body;
  }

  get #smtp(): SMTP {
    return this.#s.smtp;
  }

  #plan(body: PreparedBody): EnvelopePlan {
    return planEnvelope(this.#options, body, this.#smtp.capabilities, { secure: this.#smtp.secure, chunking: this.#smtp.options.chunking !== false });
  }

  get #pipelining(): boolean {
    return this.#smtp.options.pipelining !== false && hasKeyword(this.#smtp.capabilities, 'PIPELINING');
  }

  /** The envelope (and a small BDAT message) as bytes for the previous transaction's last write. */
  prewrite(reset: boolean): Buffer | undefined {
    const body = this.#body;
    if (body === undefined || !this.#pipelining) return undefined;
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
    const lines = [...(reset ? ['RSET'] : []), plan.mailLine, ...plan.recipients.map((r) => r.line)];
    if (!plan.body.bdat) lines.push('DATA');
    const conn = this.#s.channel.conn;
    for (const line of lines) conn.trace('c', line);
    const head = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8');
    if (!inline) return head;
    const data = this.#body!.head.length === 1 ? this.#body!.head[0]! : Buffer.concat(this.#body!.head);
    const bdat = formatBdat(data.length, true);
    conn.trace('c', bdat);
    return Buffer.concat([head, Buffer.from(`${bdat}\r\n`), data]);
  }

  /** The next queued transaction's envelope, for appending to our last write. */
  #claimNext(reset: boolean): Buffer | undefined {
    return this.#s.queue.claimNextPrewrite()?.(reset);
  }

  async run(): Promise<SendResult> {
    const start = performance.now();
    const signal = this.#options.signal;
    const channel = this.#s.channel;
    const written = this.#written;
    // A prewritten envelope's replies may already be buffered; otherwise nothing may be.
    if (!written) await channel.checkUnsolicited(signal);
    this.#body ??= await prepareBody(this.#options.message, this.#options.lookAhead);
    const plan = written?.plan ?? this.#plan(this.#body);
    const reset = written ? written.reset : this.#smtp.needsReset;
    const inline = written ? written.inline : plan.body.bdat && this.#body.complete && this.#body.inspector.info.size <= INLINE_BDAT && this.#pipelining;
    this.#smtp.needsReset = true;

    if (written) {
      if (inline) {
        // Our whole message is out already: keep one transaction in flight behind us.
        const next = this.#claimNext(true);
        if (next) await channel.conn.write(next, { signal, trace: '<pipelined envelope>' });
      }
    } else if (this.#pipelining) {
      const bytes = this.#envelopeBytes(plan, reset, inline);
      const next = inline ? this.#claimNext(true) : undefined;
      await channel.conn.write(next ? Buffer.concat([bytes, next]) : bytes, { signal, trace: `<pipelined: ${plan.recipients.length + 1 + (reset ? 1 : 0)} commands>` });
      this.#bytes += bytes.length;
    }

    // Replies, in the order of the commands (RFC 2920 §3.1). Once `BDAT LAST` went out, any
    // failure to read them leaves the outcome unknown.
    const read = inline ? (): Promise<Reply> => readFinalReply(channel, 'BDAT LAST', signal) : (): Promise<Reply> => channel.read({ signal });
    const sequential = !this.#pipelining;
    const say = async (line: string): Promise<Reply> => {
      if (sequential) {
        await channel.conn.writeCommand(line, { signal });
        this.#bytes += line.length + 2;
      }
      return read();
    };
    if (reset) {
      const r = await say('RSET');
      if (!isPositive(r)) {
        // The pipelined commands behind it would answer out of turn: the session is over.
        if (!sequential) channel.conn.destroy();
        throw new SMTPDataError('RSET', r);
      }
    }
    const mailReply = await say(plan.mailLine);
    if (!isPositive(mailReply) && sequential) {
      this.#smtp.needsReset = false;
      throw new SMTPSenderRefusedError(this.#options.from, plan.mailLine, mailReply);
    }
    const rcptReplies: Reply[] = [];
    for (const r of plan.recipients) rcptReplies.push(await say(r.line));
    const accepted: RecipientResult[] = [];
    const rejected: RecipientResult[] = [];
    const refusals: SMTPRecipientRefusedError[] = [];
    plan.recipients.forEach((r, i) => {
      const reply = rcptReplies[i]!;
      if (isPositive(reply)) accepted.push(recipientResult(r.address, reply));
      else {
        rejected.push(recipientResult(r.address, reply));
        refusals.push(new SMTPRecipientRefusedError(r.address, r.line, reply));
      }
    });
    const envelopeDone = performance.now();
    const mailOk = isPositive(mailReply);

    let finals: Reply[];
    if (plan.body.bdat) {
      if (inline) {
        finals = await this.#readFinals(mailOk ? accepted.length : 0, 'BDAT LAST');
      } else {
        if (!mailOk || accepted.length === 0) return this.#refused(mailOk, mailReply, plan, refusals);
        const { bytes, failed } = await writeBdatBody({ channel, body: this.#body, plan: plan.body, maxSize: plan.maxSize, signal, pipelining: this.#pipelining, after: () => this.#claimNext(true) });
        this.#bytes += bytes;
        finals = await this.#readFinals(accepted.length, 'BDAT LAST');
        if (failed !== undefined) throw new SMTPDataError('BDAT', failed);
      }
      if (!mailOk || accepted.length === 0) return this.#refused(mailOk, mailReply, plan, refusals);
    } else {
      const go = sequential && (!mailOk || accepted.length === 0) ? undefined : await say('DATA');
      if (!mailOk || accepted.length === 0 || go?.code !== 354) {
        if (go?.code === 354) await this.#emptyData(); // RFC 2920 §3.1: end the data at once.
        if (!mailOk || accepted.length === 0) return this.#refused(mailOk, mailReply, plan, refusals);
        throw new SMTPDataError('DATA', go!);
      }
      this.#bytes += await writeDataBody({ channel, body: this.#body, plan: plan.body, maxSize: plan.maxSize, signal, after: () => this.#claimNext(false) });
      finals = await this.#readFinals(accepted.length, 'DATA');
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
      this.#smtp.needsReset = false;
      throw new SMTPSenderRefusedError(this.#options.from, plan.mailLine, mailReply);
    }
    throw new SMTPRecipientsRefusedError(refusals);
  }

  #result(start: number, envelopeDone: number, accepted: RecipientResult[], rejected: RecipientResult[], plan: EnvelopePlan, finals: Reply[]): SendResult {
    const command = plan.body.bdat ? 'BDAT LAST' : 'DATA';
    let delivered = accepted;
    if (this.#s.lmtp) {
      delivered = [];
      const refusals: SMTPRecipientRefusedError[] = [];
      accepted.forEach((a, i) => {
        const reply = finals[i]!;
        if (isPositive(reply)) delivered.push(recipientResult(a.address, reply));
        else {
          rejected.push(recipientResult(a.address, reply));
          refusals.push(new SMTPRecipientRefusedError(a.address, command, reply));
        }
      });
      this.#smtp.needsReset = false;
      if (delivered.length === 0) throw new SMTPRecipientsRefusedError(refusals);
    } else {
      this.#smtp.needsReset = false;
      if (!isPositive(finals[0]!)) throw new SMTPDataError(command, finals[0]!);
    }
    const last = finals[finals.length - 1]!;
    const end = performance.now();
    return {
      accepted: delivered,
      rejected,
      response: { ...last, queueId: parseQueueId(last) },
      timings: { envelope: envelopeDone - start, data: end - envelopeDone, total: end - start },
      bytesSent: this.#bytes,
    };
  }
}
