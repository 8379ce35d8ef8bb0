// The test's script: persistent per-verb handlers and FIFO queues of one-shot overrides,
// shared by every connection of one FakeServer.
import type { Action, Reply } from './actions.js';

/** A command line as the server parsed it. */
export interface Command {
  /** Upper-cased first word (`MAIL`, `RETR`), or a pseudo-verb (see {@link PseudoVerb}). */
  readonly verb: string;
  /** Everything after the first space, as received. */
  readonly args: string;
  /** The whole line without its line ending (UTF-8 decoded). */
  readonly line: string;
}

/**
 * Pseudo-verbs a script can answer besides real commands:
 * `GREETING` (at connect), `DATA_END` (SMTP, after the body's final dot),
 * `BDAT` (SMTP, after the chunk bytes were read — same name as the command),
 * `AUTH_RESPONSE` (a SASL continuation line, SMTP and POP3).
 */
export type PseudoVerb = 'GREETING' | 'DATA_END' | 'AUTH_RESPONSE';

/** What a handler sees besides the command. */
export interface HandlerContext {
  /** 1-based connection number on this server. */
  readonly connection: number;
  /** Whether this command arrived over TLS. */
  readonly tls: boolean;
  /** DATA_END: the body exactly as received (dot-stuffed, without the final `.\r\n`); BDAT: the chunk. */
  readonly body?: Buffer;
  /** The protocol session state (see SmtpState / Pop3State). */
  readonly state: unknown;
  /** The actions the server would perform by default for this command (does not perform them). */
  defaultReply(): Action[];
}

/** A scripted answer: return a {@link Reply}; `undefined` falls back to the default. */
export type Handler = (cmd: Command, ctx: HandlerContext) => Reply;

/** A queued one-shot override: a fixed reply (`undefined`: the default, once) or a handler. */
export type Override = Reply | Handler;

/** Persistent handlers and one-shot override queues, keyed by upper-cased verb (`*` = any real command). */
export class Script {
  readonly #handlers = new Map<string, Handler>();
  readonly #queues = new Map<string, Override[]>();

  /** Answer every `verb` with `handler` (replaces a previous handler for that verb). */
  on(verb: string, handler: Handler): this {
    this.#handlers.set(verb.toUpperCase(), handler);
    return this;
  }

  /** Remove the persistent handler of `verb`. */
  off(verb: string): this {
    this.#handlers.delete(verb.toUpperCase());
    return this;
  }

  /** Answer the NEXT `verb` (FIFO, one use each) with `override`. */
  once(verb: string, ...overrides: Override[]): this {
    const key = verb.toUpperCase();
    const queue = this.#queues.get(key) ?? [];
    queue.push(...overrides);
    this.#queues.set(key, queue);
    return this;
  }

  /** Number of one-shot overrides not used yet (all verbs). */
  get pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /**
   * The handler to use for `verb`: the verb's queue, then `*`'s queue (real commands only),
   * then the verb's persistent handler, then `*`'s. Undefined means: default reply.
   */
  take(verb: string, pseudo: boolean): Handler | undefined {
    const keys = pseudo ? [verb] : [verb, '*'];
    for (const key of keys) {
      const queue = this.#queues.get(key);
      if (queue?.length) {
        const next = queue.shift();
        return typeof next === 'function' ? next : () => next;
      }
    }
    for (const key of keys) {
      const h = this.#handlers.get(key);
      if (h) return h;
    }
    return undefined;
  }
}
