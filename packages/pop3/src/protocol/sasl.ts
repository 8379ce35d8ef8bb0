/**
 * The POP3 SASL exchange framing (RFC 5034 §4): the AUTH command with its optional initial
 * response, `+ <base64>` challenges, base64 responses and `*` to cancel.
 */
import { MAX_COMMAND_LINE } from './limits.js';
import { failure, quote, success, type Parsed } from './result.js';

/** The client response that cancels an exchange (RFC 5034 §4). */
export const SASL_CANCEL = '*';

/** What to send to start an AUTH exchange. */
export interface AuthCommand {
  /** The command line, without CRLF. */
  readonly line: string;
  /** How many words of `line` the trace may show (the initial response is a secret). */
  readonly redactAfter: number;
  /**
   * The initial response that did not fit on the command line: send it in answer to the
   * server's first (empty) challenge instead. `null` when nothing is pending.
   */
  readonly pending: Buffer | null;
}

/**
 * Builds the AUTH command. An empty initial response is sent as `=` (RFC 5034 §4). When
 * the initial response would make the line longer than 255 octets (RFC 2449 §4; RFC 5034
 * §4 says the client MUST NOT then use it), it is left `pending` for the first challenge.
 */
export function formatAuthCommand(mechanism: string, initialResponse: Uint8Array | null): AuthCommand {
  const name = mechanism.toUpperCase();
  if (!/^[A-Z0-9_-]{1,20}$/.test(name)) throw new RangeError('malformed SASL mechanism name');
  if (initialResponse === null) return { line: `AUTH ${name}`, redactAfter: 2, pending: null };
  const encoded = initialResponse.length === 0 ? '=' : Buffer.from(initialResponse).toString('base64');
  const line = `AUTH ${name} ${encoded}`;
  if (line.length + 2 <= MAX_COMMAND_LINE) return { line, redactAfter: 2, pending: null };
  return { line: `AUTH ${name}`, redactAfter: 2, pending: Buffer.from(initialResponse) };
}

/** Encodes a client response line (base64; an empty response is an empty line). */
export function encodeSaslResponse(response: Uint8Array): string {
  return Buffer.from(response).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Recognises a server challenge: `+ <base64>` (or a bare `+`, which some servers send for
 * an empty challenge). Returns `undefined` for anything else (a status line), the decoded
 * challenge, or `MAIL_PROTOCOL` for a `+ ` line whose payload is not strict base64.
 */
export function parseChallenge(line: string): Parsed<Buffer> | undefined {
  if (line !== '+' && !line.startsWith('+ ')) return undefined;
  const payload = line.slice(2).trim();
  if (!BASE64.test(payload)) return failure(`SASL challenge is not base64: ${quote(payload)}`);
  return success(Buffer.from(payload, 'base64'));
}
