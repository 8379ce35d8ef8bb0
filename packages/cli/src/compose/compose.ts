/**
 * Composing a MIME message from command line parts with nodemailer's MailComposer
 * (attachments, transfer encodings, Date, Message-ID, encoded words).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { usageError } from '../errors.js';
import { bareAddress } from './headers.js';

/** What `mailctl send` composes from. */
export interface ComposeInput {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject?: string;
  text?: string | Buffer;
  html?: string | Buffer;
  attachments: string[];
  headers: string[];
  priority?: 'high' | 'normal' | 'low';
}

/** A composed message and the envelope it implies. */
export interface Composed {
  message: Buffer;
  envelope: { from: string; to: string[] };
  messageId: string;
}

/** RFC 5322 §3.6.8: field names are printable US-ASCII except colon. */
const FIELD_NAME = /^[!-9;-~]+$/;

/** Parses `--header "Name: value"` options; CR/LF in a value would inject headers. */
export function parseHeaderOption(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!FIELD_NAME.test(name)) throw usageError(`--header expects "Name: value", got "${text}"`);
  const value = text.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw usageError(`--header ${name}: value contains CR, LF or NUL`);
  return [name, value];
}

/** Priority headers as common MUAs write them (X-Priority 1/3/5, Importance). */
function priorityHeaders(priority: ComposeInput['priority']): Array<[string, string]> {
  if (priority === 'high') return [['X-Priority', '1 (Highest)'], ['Importance', 'High']];
  if (priority === 'low') return [['X-Priority', '5 (Lowest)'], ['Importance', 'Low']];
  return [];
}

/** Builds the message with CRLF line endings; Bcc is not written into the headers. */
export async function compose(input: ComposeInput): Promise<Composed> {
  const attachments = await Promise.all(
    input.attachments.map(async (path) => ({ filename: basename(path), content: await readFile(path) })),
  );
  const headers = [...input.headers.map(parseHeaderOption), ...priorityHeaders(input.priority)].map(([key, value]) => ({ key, value }));
  const composer = new MailComposer({
    from: input.from,
    to: input.to.length > 0 ? input.to : undefined,
    cc: input.cc.length > 0 ? input.cc : undefined,
    bcc: input.bcc.length > 0 ? input.bcc : undefined,
    subject: input.subject,
    text: input.text ?? (input.html === undefined ? '' : undefined),
    html: input.html,
    attachments,
    headers,
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  const message = await node.build();
  const recipients = [...new Set([...input.to, ...input.cc, ...input.bcc].map(bareAddress))];
  return { message, envelope: { from: bareAddress(input.from), to: recipients }, messageId: node.messageId() };
}
