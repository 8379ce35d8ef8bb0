/**
 * `sendMail()`: one whole transaction. With PIPELINING (RFC 2920) the envelope — RSET when
 * needed, MAIL, every RCPT and DATA — goes out in one write and the replies are matched in
 * order; the next queued transaction's envelope rides on the write that ends this message.
 * With CHUNKING (RFC 3030) a small message goes in that same write as `BDAT n LAST`.
 */
import { guard } from './errors.js';
import type { ReplyChannel } from './channel.js';
import type { SMTP } from './client.js';
import { normalizeAddresses, type AddressCache, type Addresses } from './envelope.js';
import type { EnvelopeMemo } from './envelope-memo.js';
import { formatEnvid, formatNotify, formatOrcpt } from './protocol/commands.js';
import type { CommandQueue } from './queue.js';
import type { SendMailOptions, SendResult } from './result.js';
import { Transaction } from './transaction.js';

export type { SendMailOptions, SendResult } from './result.js';

/** What a transaction needs from its session. */
export interface Session {
  channel: ReplyChannel;
  queue: CommandQueue;
  smtp: SMTP;
  /** LMTP: one reply per accepted recipient after the message (RFC 2033 §4.2). */
  lmtp: boolean;
  /** The addresses this session already checked. */
  addresses: AddressCache;
  /** The last plain envelope plan, reused while its inputs are the same. */
  envelopes: EnvelopeMemo;
}

/**
 * The caller's options copied once, when `sendMail()` is called, into one fixed shape that
 * everything after reads. Options are often built with a spread (`{ ...defaults, message }`),
 * and V8 (Node 20) gives each object built that way its own hidden class once the spread
 * site is busy: 2000 queued calls brought 2000 hidden classes, and every later read of an
 * option was a megamorphic lookup (and the classes themselves heap the GC has to walk).
 * @internal Exported for tests.
 */
export class MailRequest implements SendMailOptions {
  readonly from: string;
  readonly to: SendMailOptions['to'];
  readonly message: SendMailOptions['message'];
  readonly dsn: SendMailOptions['dsn'];
  readonly requireTLS: boolean | undefined;
  readonly size: number | undefined;
  readonly body: SendMailOptions['body'];
  readonly smtputf8: boolean | undefined;
  readonly mailParams: SendMailOptions['mailParams'];
  readonly lookAhead: number | undefined;
  readonly signal: AbortSignal | undefined;

  constructor(given: SendMailOptions) {
    // A plain object is first copied natively (Object.assign walks its own properties without
    // a property lookup per name); the copies of spread-built objects then share one hidden
    // class, so the reads below, of present and absent options alike, hit V8's inline caches.
    // Options of a plain object are its own enumerable properties (what a spread or
    // Object.assign of it gives); anything else (a class instance, getters on a prototype)
    // is read as it is.
    const options: SendMailOptions = Object.getPrototypeOf(given) === Object.prototype ? Object.assign<object, SendMailOptions>({}, given) : given;
    this.from = options.from;
    this.to = options.to;
    this.message = options.message;
    this.dsn = options.dsn;
    this.requireTLS = options.requireTLS;
    this.size = options.size;
    this.body = options.body;
    this.smtputf8 = options.smtputf8;
    this.mailParams = options.mailParams;
    this.lookAhead = options.lookAhead;
    this.signal = options.signal;
  }
}

/** Queues one transaction on the session. */
export function sendMailOn(session: Session, options: SendMailOptions): Promise<SendResult> {
  const request = new MailRequest(options);
  let addresses: Addresses;
  try {
    addresses = checkEarly(request, session.addresses);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return session.queue.runTask(new Transaction(session, request, addresses));
}

/** CR/LF/NUL and syntax in addresses and DSN values fail here, before the call is queued. */
function checkEarly(options: SendMailOptions, cache: AddressCache): Addresses {
  const addresses = normalizeAddresses(options, cache);
  const dsn = options.dsn;
  const to = options.to;
  if (dsn === undefined && (typeof to === 'string' || to.every((r) => typeof r === 'string'))) return addresses;
  guard(() => {
    if (dsn?.envid !== undefined) formatEnvid(dsn.envid);
    if (dsn?.notify !== undefined) formatNotify(dsn.notify);
    for (const r of typeof to === 'string' ? [] : to) {
      if (typeof r === 'string') continue;
      if (r.notify !== undefined) formatNotify(r.notify);
      if (r.orcpt !== undefined) formatOrcpt(r.orcpt);
    }
  });
  return addresses;
}

