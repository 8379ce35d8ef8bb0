/**
 * The replies to a pipelined envelope (RSET, MAIL, each RCPT, DATA), taken one at a time
 * in the order of the commands (RFC 2920 §3.1). Kept apart from the transaction so the hot
 * path reads every reply through one call site: a small async function with few await
 * points is what V8 compiles cheaply, and in a run of a few thousand messages that
 * compilation is a large share of the CPU.
 */
import type { Connection } from '@mail/transport';
import type { EnvelopePlan } from './envelope.js';
import { SMTPDataError, SMTPRecipientRefusedError } from './errors.js';
import { isPositive, type Reply } from './protocol/reply.js';
import { recipientResult, type RecipientResult } from './result.js';

/** What the envelope's replies said, filled in as they arrive. */
export class EnvelopeReplies {
  /** The reply to MAIL FROM, once read. */
  mail: Reply | undefined;
  /** The reply to DATA, once read (the last one). */
  data: Reply | undefined;
  readonly accepted: RecipientResult[] = [];
  readonly rejected: RecipientResult[] = [];
  readonly refusals: SMTPRecipientRefusedError[] = [];
  #next = 0;

  constructor(
    readonly plan: EnvelopePlan,
    readonly reset: boolean,
    readonly conn: Connection,
  ) {}

  /** MAIL FROM was accepted. */
  get mailOk(): boolean {
    return this.mail !== undefined && isPositive(this.mail);
  }

  /**
   * Takes the next reply; true once the reply to DATA is in. A refused RSET ends the session:
   * the pipelined commands behind it would answer out of turn, so the connection is
   * destroyed and SMTPDataError thrown.
   */
  take(reply: Reply): boolean {
    let k = this.#next++;
    if (this.reset) {
      if (k === 0) {
        if (!isPositive(reply)) {
          this.conn.destroy();
          throw new SMTPDataError('RSET', reply);
        }
        return false;
      }
      k--;
    }
    if (k === 0) {
      this.mail = reply;
      return false;
    }
    const recipients = this.plan.recipients;
    if (k <= recipients.length) {
      const r = recipients[k - 1]!;
      if (isPositive(reply)) this.accepted.push(recipientResult(r.address, reply));
      else {
        this.rejected.push(recipientResult(r.address, reply));
        this.refusals.push(new SMTPRecipientRefusedError(r.address, r.line, reply));
      }
      return false;
    }
    this.data = reply;
    return true;
  }
}
