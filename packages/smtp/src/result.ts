/**
 * What `sendMail()` accepts and returns.
 */
import type { BodyInput } from './body.js';
import { SMTPRecipientRefusedError, SMTPRecipientsRefusedError } from './errors.js';
import type { BodyType, NotifyCondition } from './protocol/commands.js';
import { isPositive, parseQueueId, type Reply } from './protocol/reply.js';

/** A recipient with per-recipient DSN settings (RFC 3461 §4.1, §4.2). */
export interface Recipient {
  address: string;
  /** NOTIFY for this recipient; default `dsn.notify`. */
  notify?: 'NEVER' | readonly NotifyCondition[];
  /** ORCPT for this recipient (`type;address` or a bare address). */
  orcpt?: string;
}

/** Delivery status notification requests (RFC 3461). */
export interface DSNOptions {
  /** RET: return the full message or only its headers in a DSN. */
  ret?: 'FULL' | 'HDRS';
  /** ENVID: our identifier for this transaction, returned in DSNs. */
  envid?: string;
  /** NOTIFY for every recipient without its own. */
  notify?: 'NEVER' | readonly NotifyCondition[];
  /** Send ORCPT=rfc822;<address> for every recipient without its own. */
  orcpt?: boolean;
  /**
   * When the server does not offer DSN: `'throw'` (default) refuses before MAIL FROM with
   * SMTPNotSupportedError; `'omit'` sends without the DSN parameters.
   */
  onUnsupported?: 'throw' | 'omit';
}

/** Options of `sendMail()`. */
export interface SendMailOptions {
  /** Envelope sender (`''` = the null reverse-path `<>`). */
  from: string;
  /** Envelope recipients. */
  to: string | ReadonlyArray<string | Recipient>;
  /** The message: string, bytes, Node stream, web ReadableStream or (async) iterable of chunks. */
  message: BodyInput;
  dsn?: DSNOptions;
  /** REQUIRETLS (RFC 8689): needs a verified TLS session and the extension. */
  requireTLS?: boolean;
  /** SIZE estimate for a streamed message whose size is not known in advance (RFC 1870). */
  size?: number;
  /** Force a BODY type; default: the least the content needs (7BIT, 8BITMIME, BINARYMIME). */
  body?: BodyType;
  /** Force SMTPUTF8; default: when an address or the header section is not ASCII. */
  smtputf8?: boolean;
  /** Further MAIL FROM parameters. */
  mailParams?: Readonly<Record<string, string | true>>;
  /** How much of a streamed message is read and inspected before MAIL FROM (default 1 MiB). */
  lookAhead?: number;
  signal?: AbortSignal;
}

/** The server's answer for one recipient. */
export interface RecipientResult {
  address: string;
  code: number;
  enhancedStatus: string | undefined;
  text: string;
}

/** The reply after the message, with the queue id when the server named one. */
export interface FinalResponse extends Reply {
  queueId: string | undefined;
}

/** The outcome of one transaction; partial success is a result, not an error. */
export interface SendResult {
  /** Recipients the server accepted (for LMTP: delivered). */
  accepted: RecipientResult[];
  /** Recipients the server refused, with its reply. */
  rejected: RecipientResult[];
  /** The final reply (for LMTP: the last recipient's). */
  response: FinalResponse;
  /** Milliseconds: until the envelope was answered, for the message, in total. */
  timings: { envelope: number; data: number; total: number };
  /** Octets written for this transaction (commands and message). */
  bytesSent: number;
}

/** Builds a recipient result from a reply. */
export function recipientResult(address: string, reply: Reply): RecipientResult {
  return { address, code: reply.code, enhancedStatus: reply.enhancedStatus, text: reply.text };
}

/**
 * LMTP (RFC 2033 §4.2): the accepted recipients whose own reply after the message is
 * positive; the others are added to `rejected`. Throws when none was delivered.
 */
export function lmtpDelivered(accepted: RecipientResult[], rejected: RecipientResult[], finals: readonly Reply[], command: string): RecipientResult[] {
  const delivered: RecipientResult[] = [];
  const refusals: SMTPRecipientRefusedError[] = [];
  accepted.forEach((a, i) => {
    const reply = finals[i]!;
    if (isPositive(reply)) delivered.push(recipientResult(a.address, reply));
    else {
      rejected.push(recipientResult(a.address, reply));
      refusals.push(new SMTPRecipientRefusedError(a.address, command, reply));
    }
  });
  if (delivered.length === 0) throw new SMTPRecipientsRefusedError(refusals);
  return delivered;
}

/** The outcome of a transaction whose message was accepted (`last` is the final reply). */
export function sendResult(accepted: RecipientResult[], rejected: RecipientResult[], last: Reply, timings: SendResult['timings'], bytesSent: number): SendResult {
  // Spelled out, not `{ ...last, queueId }`: a busy spread site gives every object its own
  // hidden class in V8, and callers read these objects in their own hot loops.
  const response: FinalResponse = { code: last.code, enhancedStatus: last.enhancedStatus, lines: last.lines, text: last.text, queueId: parseQueueId(last) };
  return { accepted, rejected, response, timings, bytesSent };
}
