/**
 * Planning a transaction before anything is written: the MAIL FROM and RCPT TO lines with
 * the parameters the content, the addresses and the caller need, checked against what the
 * server offers (SIZE, 8BITMIME, SMTPUTF8, DSN, REQUIRETLS, CHUNKING/BINARYMIME).
 */
import { MailError } from '@mail/transport';
import { planBody, type BodyPlan, type PreparedBody } from './body.js';
import { SMTPMessageError, SMTPNotSupportedError, toMailError } from './errors.js';
import { mailFromLine, rcptToLine, type MailParams, type RcptParams } from './protocol/commands.js';
import { normalizeAddress, isAsciiAddress } from './protocol/address.js';
import type { Capabilities } from './protocol/ehlo.js';
import type { Recipient, SendMailOptions } from './result.js';

/** A transaction, ready to be written. */
export interface EnvelopePlan {
  mailLine: string;
  /** One per recipient, in the caller's order. */
  recipients: Array<{ address: string; line: string }>;
  body: BodyPlan;
  /** The server's SIZE limit, enforced while a longer stream is sent. */
  maxSize: number | undefined;
}

/** What a transaction sends to: every address checked once, when the call is made. */
export interface Addresses {
  /** From `normalizeAddress(from, 'sender address', { allowNull: true })`. */
  from: string;
  /** Checked like the sender, with `allowPostmaster` instead of `allowNull`. */
  recipients: Recipient[];
  /** Every address is pure ASCII (otherwise the envelope needs SMTPUTF8, RFC 6531 §3.4). */
  ascii: boolean;
}

const SENDER_RULES = { allowNull: true } as const;
const RECIPIENT_RULES = { allowPostmaster: true } as const;
/** Entries per kind before an {@link AddressCache} starts over. */
const CACHED_ADDRESSES = 256;

interface Checked {
  address: string;
  ascii: boolean;
}

/**
 * The addresses one session already checked, by the string the caller passed: a session
 * usually sends from one address to a few, thousands of times, and `normalizeAddress` is a
 * pure function of its input. Only accepted addresses are kept; bounded, and dropped with
 * the session.
 */
export class AddressCache {
  readonly #senders = new Map<string, Checked>();
  readonly #recipients = new Map<string, Checked>();

  /** `normalizeAddress(input, 'sender address', { allowNull: true })`, remembered. */
  sender(input: string): Checked {
    return this.#senders.get(input) ?? remember(this.#senders, input, normalizeAddress(input, 'sender address', SENDER_RULES));
  }

  /** `normalizeAddress(input, 'recipient address', { allowPostmaster: true })`, remembered. */
  recipient(input: string): Checked {
    return this.#recipients.get(input) ?? remember(this.#recipients, input, normalizeAddress(input, 'recipient address', RECIPIENT_RULES));
  }
}

function remember(cache: Map<string, Checked>, input: string, address: string): Checked {
  if (cache.size >= CACHED_ADDRESSES) cache.clear();
  const checked = { address, ascii: isAsciiAddress(address) };
  cache.set(input, checked);
  return checked;
}

/** The sender and the recipients checked (CR/LF/NUL and syntax) before anything is queued or written. */
export function normalizeAddresses(options: Pick<SendMailOptions, 'from' | 'to'>, cache: AddressCache = new AddressCache()): Addresses {
  const to = options.to;
  const list = typeof to === 'string' ? [to] : to;
  if (list.length === 0) throw new MailError('MAIL_INVALID_ARGUMENT', 'no recipients given');
  try {
    const from = cache.sender(options.from);
    let ascii = from.ascii;
    const recipients: Recipient[] = [];
    for (const r of list) {
      const checked = cache.recipient(typeof r === 'string' ? r : r.address);
      ascii &&= checked.ascii;
      recipients.push(typeof r === 'string' ? { address: checked.address } : { ...r, address: checked.address });
    }
    return { from: from.address, recipients, ascii };
  } catch (error) {
    throw toMailError(error);
  }
}

/**
 * Plans MAIL FROM and RCPT TO for this server; throws (before any write) what cannot be sent.
 * `addresses` is what {@link normalizeAddresses} made of `options` when the call was made.
 */
export function planEnvelope(
  options: SendMailOptions,
  addresses: Addresses,
  body: PreparedBody,
  caps: Capabilities,
  session: { secure: boolean; chunking: boolean },
): EnvelopePlan {
  const { from, recipients, ascii } = addresses;
  const bodyPlan = planBody(body, caps, { body: options.body, chunking: session.chunking });
  const info = body.inspector.info;
  const params: MailParams = { body: bodyPlan.body, extra: options.mailParams };

  // RFC 1870 §6: SIZE is declared when offered, and a known size over the limit is refused here.
  const maxSize = caps.size === undefined || caps.size === 0 ? undefined : caps.size;
  const size = body.complete ? info.size : options.size;
  if (maxSize !== undefined && size !== undefined && size > maxSize) {
    throw new SMTPMessageError(`the message is ${size} octets, over the server's SIZE limit of ${maxSize} (RFC 1870); refused before MAIL FROM`);
  }
  if (caps.size !== undefined && size !== undefined) params.size = size;

  // RFC 6531 §3.4: internationalised addresses need SMTPUTF8; so do UTF-8 headers (RFC 6532).
  const utf8Addresses = !ascii;
  const smtputf8Offered = caps.keywords.has('SMTPUTF8');
  if ((utf8Addresses || options.smtputf8 === true) && !smtputf8Offered) {
    throw new SMTPNotSupportedError('the envelope needs SMTPUTF8 (RFC 6531), which the server does not offer');
  }
  // 8-bit content to a server with SMTPUTF8 but no 8BITMIME goes under SMTPUTF8 (RFC 6531 §3.1).
  const eightBitNeedsUtf8 = info.has8bit && bodyPlan.body === '7BIT' && smtputf8Offered;
  if (options.smtputf8 !== false && (utf8Addresses || options.smtputf8 === true || eightBitNeedsUtf8 || (body.headers8bit && smtputf8Offered))) params.smtputf8 = true;

  if (options.requireTLS === true) {
    // RFC 8689 §4.1: only over TLS, and only to a server that offers REQUIRETLS.
    if (!session.secure) throw new MailError('MAIL_TLS_REQUIRED', 'REQUIRETLS needs a verified TLS session');
    if (!caps.keywords.has('REQUIRETLS')) throw new SMTPNotSupportedError('the server does not offer REQUIRETLS (RFC 8689)');
    params.requireTLS = true;
  }

  const dsn = dsnEnabled(options, caps);
  if (dsn) {
    if (options.dsn?.ret !== undefined) params.ret = options.dsn.ret;
    if (options.dsn?.envid !== undefined) params.envid = options.dsn.envid;
  }
  try {
    const mailLine = mailFromLine(from, params);
    const lines: EnvelopePlan['recipients'] = [];
    for (const r of recipients) {
      const rp: RcptParams = {};
      if (dsn) {
        const notify = r.notify ?? options.dsn?.notify;
        if (notify !== undefined) rp.notify = notify;
        const orcpt = r.orcpt ?? (options.dsn?.orcpt === true ? r.address : undefined);
        if (orcpt !== undefined) rp.orcpt = orcpt;
      }
      lines.push({ address: r.address, line: rcptToLine(r.address, rp) });
    }
    return { mailLine, recipients: lines, body: bodyPlan, maxSize };
  } catch (error) {
    throw toMailError(error);
  }
}

/** Whether DSN parameters go out; the policy when the server lacks DSN (RFC 3461 §4). */
function dsnEnabled(options: SendMailOptions, caps: Capabilities): boolean {
  const requested = options.dsn !== undefined || (typeof options.to !== 'string' && options.to.some((r) => typeof r !== 'string' && (r.notify !== undefined || r.orcpt !== undefined)));
  if (!requested) return false;
  if (caps.keywords.has('DSN')) return true;
  if (options.dsn?.onUnsupported === 'omit') return false;
  throw new SMTPNotSupportedError("DSN was requested but the server does not offer DSN (RFC 3461); set dsn.onUnsupported: 'omit' to send without");
}
