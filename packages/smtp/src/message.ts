/**
 * `sendMessage()`: Python's smtplib `send_message` — the envelope from the headers and Bcc
 * removed from what is sent. Sender: `Sender`, else the first `From` mailbox. Recipients:
 * every `To`, `Cc` and `Bcc` address (all occurrences, duplicates once). When the message
 * was resent (RFC 5322 §3.6.6), the topmost `Resent-*` block is used instead; smtplib
 * refuses messages with several blocks, the topmost is the latest resending.
 */
import { MailError, normalize } from '@mail/transport';
import type { BodyInput } from './body.js';
import { readFileHead } from './file-head.js';
import { isMessageFile, type FileSlice, type MessageFile } from './file-source.js';
import { headerValues, parseAddressList, parseHeaderSection, withoutFields, type HeaderSection } from './protocol/headers.js';
import type { SendMailOptions } from './result.js';

/** Options of `sendMessage()`: those of `sendMail()`, with the envelope optional. */
export interface SendMessageOptions extends Omit<SendMailOptions, 'from' | 'to' | 'message'> {
  /** Envelope sender; default from the headers. */
  from?: string;
  /** Envelope recipients; default from the headers. */
  to?: SendMailOptions['to'];
}

// A header section longer than this in a streamed message is refused (no mail has one).
const MAX_HEADER_SECTION = 1024 * 1024;
const BCC = ['Bcc', 'Resent-Bcc'];

/** The envelope and the message to send (Bcc removed). */
export async function prepareMessage(message: BodyInput, options: SendMessageOptions): Promise<SendMailOptions> {
  if (isMessageFile(message)) {
    // The header section is read here; the body is read from the file itself when it is sent.
    const { head, bodyStart } = await readFileHead(message, MAX_HEADER_SECTION);
    return withEnvelope(head, options, (stripped) => (bodyStart === undefined ? stripped : ({ path: message.path, start: bodyStart, prefix: Buffer.from(stripped) } satisfies FileSlice)));
  }
  const { head, rest } = await readHead(message);
  return withEnvelope(head, options, (stripped) => (rest === undefined ? stripped : concat(stripped, rest)));
}

/** The envelope from `head` (unless given) and the message made from `head` without Bcc. */
function withEnvelope(head: Uint8Array, options: SendMessageOptions, body: (stripped: Uint8Array) => BodyInput): SendMailOptions {
  const section = parseHeaderSection(head);
  const env = envelopeFromHeaders(section);
  const from = options.from ?? env.from;
  const to = options.to ?? env.to;
  if (from === undefined) throw new MailError('MAIL_INVALID_ARGUMENT', 'the message has no Sender or From header and no from was given');
  if (typeof to !== 'string' && to.length === 0) throw new MailError('MAIL_INVALID_ARGUMENT', 'the message has no To, Cc or Bcc header and no to was given');
  const stripped = section.length < 0 ? head : withoutFields(head, section, BCC);
  return { ...options, from, to, message: body(stripped) };
}

/** Sender and recipients from the header section (topmost Resent-* block when there is one). */
export function envelopeFromHeaders(section: HeaderSection): { from: string | undefined; to: string[] } {
  const firstResent = section.fields.findIndex((f) => /^resent-/i.test(f.name));
  let fields = section;
  let prefix = '';
  if (firstResent >= 0) {
    // A block is a run of Resent-* fields; a name seen twice starts the next (older) block.
    const seen = new Set<string>();
    let end = firstResent;
    while (end < section.fields.length && /^resent-/i.test(section.fields[end]!.name) && !seen.has(section.fields[end]!.name.toLowerCase())) {
      seen.add(section.fields[end]!.name.toLowerCase());
      end++;
    }
    fields = { fields: section.fields.slice(firstResent, end), length: section.length };
    prefix = 'Resent-';
  }
  const first = (name: string): string | undefined => headerValues(fields, `${prefix}${name}`).flatMap(parseAddressList)[0];
  const from = first('Sender') ?? first('From');
  const to: string[] = [];
  for (const name of ['To', 'Cc', 'Bcc']) {
    for (const address of headerValues(fields, `${prefix}${name}`).flatMap(parseAddressList)) if (!to.includes(address)) to.push(address);
  }
  return { from, to };
}

async function readHead(message: BodyInput): Promise<{ head: Uint8Array; rest: AsyncIterator<Buffer, unknown> | undefined }> {
  if (typeof message === 'string') return { head: Buffer.from(message, 'utf8'), rest: undefined };
  if (message instanceof Uint8Array) return { head: message, rest: undefined };
  const iterator = normalize(message as Exclude<BodyInput, MessageFile>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return { head: Buffer.concat(chunks), rest: undefined };
    chunks.push(next.value);
    size += next.value.length;
    const head = Buffer.concat(chunks);
    if (head.includes('\r\n\r\n') || head.subarray(0, 2).toString() === '\r\n') return { head, rest: iterator };
    if (size > MAX_HEADER_SECTION) throw new MailError('MAIL_INVALID_ARGUMENT', 'the header section is longer than 1 MiB');
  }
}

async function* concat(first: Uint8Array, rest: AsyncIterator<Buffer, unknown>): AsyncGenerator<Uint8Array> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield next.value;
  }
}
