/**
 * Protocol trace: `node:diagnostics_channel` events and Python-style debug output.
 *
 * Secrets are redacted by the caller (with {@link redactLine}) before a line reaches
 * {@link Tracer.event}; nothing here ever sees an unredacted credential.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import type { DebugLevel, Logger, TraceEvent } from './types.js';

/** Name of the diagnostics channel every connection publishes {@link TraceEvent}s on. */
export const TRACE_CHANNEL = 'mail:trace';

const channel = diagnostics_channel.channel(TRACE_CHANNEL);

/** What replaces redacted words. */
export const REDACTED = '****';

/**
 * Keeps the first `keepWords` space-separated words of `line` and replaces the rest with
 * `****`: `redactLine('AUTH PLAIN dGVzdA==', 2)` is `AUTH PLAIN ****`, `redactLine(x, 0)`
 * is `****`. A line with no more than `keepWords` words is returned unchanged.
 */
export function redactLine(line: string, keepWords: number): string {
  if (keepWords <= 0) return line.length === 0 ? line : REDACTED;
  let at = -1;
  for (let i = 0; i < keepWords; i++) {
    at = line.indexOf(' ', at + 1);
    if (at === -1) return line;
  }
  return `${line.slice(0, at)} ${REDACTED}`;
}

// C0 controls except TAB, DEL, C1 controls, and the bidirectional overrides and isolates
// that reorder what a terminal shows ("Trojan Source", CVE-2021-42574).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Options of {@link escapeForTerminal}. */
export interface EscapeOptions {
  /**
   * How escaped characters are spelled. `'hex'` (default, used in traces): every one as
   * `\xNN` / `\uNNNN`, so `\x0d\x0a` shows exactly which bytes a server sent. `'js'` (for
   * text a person reads, e.g. CLI output): as a JavaScript string literal spells them, CR and
   * LF as `\r` and `\n`, the rest as `\xNN` / `\u{NNNN}`.
   */
  readonly notation?: 'hex' | 'js';
}

const hexEscape = (ch: string): string => {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

const jsEscape = (ch: string): string => {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
};

/**
 * Makes server-controlled text safe to print on a terminal: C0 and C1 control characters
 * (ESC, and with it every escape sequence; CR, LF, BEL, backspace, CSI), DEL and the
 * Unicode bidi controls become visible escapes (see {@link EscapeOptions.notation}). TAB is kept.
 */
export function escapeForTerminal(text: string, options?: EscapeOptions): string {
  return text.replace(UNSAFE, options?.notation === 'js' ? jsEscape : hexEscape);
}

/** The default logger: one line to stderr. */
export const stderrLogger: Logger = (line) => {
  process.stderr.write(`${line}\n`);
};

/**
 * One connection's trace sink: publishes on {@link TRACE_CHANNEL} (only when someone
 * subscribes) and writes debug lines at the configured level.
 */
export class Tracer {
  constructor(
    /** Connection id. */
    readonly id: number,
    /** Protocol name shown in traces. */
    readonly protocol: string,
    /** 0 none, 1 commands and replies, 2 everything with timestamps and data sizes. */
    readonly level: DebugLevel,
    private readonly logger: Logger,
  ) {}

  /** Whether anyone would see an event (skip building expensive trace text otherwise). */
  get active(): boolean {
    return this.level > 0 || channel.hasSubscribers;
  }

  /**
   * Records one already-redacted event. `detail` events (data sizes, raw chunks) are logged at
   * level 2 only; they are always published to subscribers.
   */
  event(direction: TraceEvent['direction'], text: string, detail = false): void {
    if (this.level === 0 && !channel.hasSubscribers) return;
    const time = Date.now();
    if (channel.hasSubscribers) {
      const event: TraceEvent = { id: this.id, protocol: this.protocol, direction, text, time };
      channel.publish(event);
    }
    if (this.level === 0 || (detail && this.level < 2)) return;
    const who = direction === 'c' ? 'C' : direction === 's' ? 'S' : '*';
    const prefix = this.level >= 2 ? `${new Date(time).toISOString()} ` : '';
    this.logger(`${prefix}[${this.protocol}#${this.id}] ${who}: ${escapeForTerminal(text)}`);
  }
}
