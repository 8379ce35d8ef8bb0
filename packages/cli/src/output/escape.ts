/**
 * Escaping of text that came from the network before it reaches a terminal
 * (SECURITY.md promise 4): no C0/C1 control characters, no escape sequences, no
 * bidi overrides. The one implementation is the transport's `escapeForTerminal`; the CLI
 * asks for its `'js'` notation, so a person reads CR and LF as `\r` and `\n`. Tabs are kept.
 */
import { escapeForTerminal } from '@mail/transport';

/** Makes untrusted text safe to print on one terminal line. */
export function escapeText(text: string): string {
  return escapeForTerminal(text, { notation: 'js' });
}

/**
 * Makes a multi-line untrusted text (a message shown by `demo`, `pop3 top`) safe to print:
 * each line escaped, line breaks kept as real line breaks.
 */
export function escapeLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => escapeText(line))
    .join('\n');
}
