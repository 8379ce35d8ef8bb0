/**
 * Escaping of text that came from the network before it reaches a terminal
 * (SECURITY.md promise 4): no C0/C1 control characters, no escape sequences, no
 * bidi overrides. Tabs are kept; CR and LF become visible `\r` and `\n`.
 */

// C0 controls except TAB, DEL, C1 controls, and the Unicode bidi/isolate controls that can
// reorder what a reader sees (CVE-2021-42574 "Trojan Source").
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Makes untrusted text safe to print on one terminal line. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    const cp = ch.codePointAt(0) ?? 0;
    return cp > 0xff ? `\\u{${cp.toString(16)}}` : `\\x${cp.toString(16).padStart(2, '0')}`;
  });
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
