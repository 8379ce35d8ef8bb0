// Sans-I/O session engine: bytes in, recorded transcript + actions out. Knows framing
// (lines, dot-terminated DATA bodies, counted BDAT chunks, SASL continuation lines) and the
// script lookup order; protocol defaults live in the drivers (smtp.ts, pop3.ts).
import { type Action, endsConversation, firstBytes, toActions } from './actions.js';
import type { Command, HandlerContext, Script } from './script.js';

/** How the engine frames the next input bytes. */
export type Mode =
  | { readonly kind: 'line' }
  | { readonly kind: 'sasl' }
  | { readonly kind: 'data' }
  | { readonly kind: 'bytes'; readonly size: number; readonly last: boolean; readonly command: Command };

/** What kind of input a transcript entry is. */
export type EntryKind = 'command' | 'sasl' | 'data' | 'bdat' | 'discarded';

/** One unit the server received: a line, or a BDAT chunk. */
export interface TranscriptEntry {
  readonly connection: number;
  /** Received over TLS. */
  readonly tls: boolean;
  /**
   * `command`, `sasl` (AUTH continuation), `data` (a DATA body line, including the final `.`),
   * `bdat` (a whole chunk), `discarded` (plaintext that followed STARTTLS/STLS in the same read,
   * or input after the server closed/reset: recorded, never executed).
   */
  readonly kind: EntryKind;
  /** The line without its CRLF (or lone LF), UTF-8 decoded; for `bdat`, the chunk decoded. */
  readonly line: string;
  /** Exact bytes including the line ending. */
  readonly raw: Buffer;
}

/** What the protocol driver tells the engine after the reply to a command is known. */
export interface Observation {
  readonly mode?: Mode;
  /** Start TLS after the reply (the engine appends an `upgrade` action). */
  readonly upgrade?: boolean;
  /** Close after the reply (QUIT). */
  readonly close?: boolean;
}

/** The per-connection view a driver works with. */
export interface SessionView<S> {
  readonly connection: number;
  readonly tls: boolean;
  readonly state: S;
}

/** Protocol-specific defaults and state transitions. */
export interface ProtocolDriver<S> {
  /** Default reply to a command or pseudo-verb (`body` for DATA_END / BDAT). */
  reply(cmd: Command, s: SessionView<S>, body?: Buffer): Action[];
  /** Update state from the reply actually sent (default or scripted) and say what follows. */
  observe(cmd: Command, reply: Buffer, s: SessionView<S>, body?: Buffer): Observation;
  /** For a command whose payload follows before the reply (BDAT): the byte count. */
  payload?(cmd: Command): { size: number; last: boolean } | undefined;
  /** Reset state after a TLS upgrade (RFC 3207 §4.2: the client must start over). */
  upgraded(s: SessionView<S>): void;
}

const LF = 0x0a;

/** Parse a command line into verb and arguments. */
export function parseCommand(line: string): Command {
  const sp = line.indexOf(' ');
  const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
  return { verb, args: sp < 0 ? '' : line.slice(sp + 1), line };
}

function stripEol(raw: Buffer): string {
  let end = raw.length;
  if (end > 0 && raw[end - 1] === LF) end--;
  if (end > 0 && raw[end - 1] === 0x0d) end--;
  return raw.subarray(0, end).toString('utf8');
}

/** One connection's engine. Feed it bytes; perform the returned actions in order. */
export class Session<S> implements SessionView<S> {
  tls: boolean;
  mode: Mode = { kind: 'line' };
  /** Set by a stall action: input is still recorded, nothing is answered. */
  stalled = false;
  /** Set after close/reset: input is recorded, nothing is parsed. */
  ended = false;
  /** Between an upgrade decision and `upgraded()`: plaintext input is discarded. */
  upgrading = false;
  readonly state: S;
  readonly #body: Buffer[] = [];
  #buf: Buffer = Buffer.alloc(0);
  #have = 0;

  constructor(
    readonly connection: number,
    tls: boolean,
    state: S,
    private readonly driver: ProtocolDriver<S>,
    private readonly script: Script,
    private readonly record: (e: TranscriptEntry) => void,
  ) {
    this.tls = tls;
    this.state = state;
  }

  /** Actions at connect: the (possibly scripted) greeting. */
  greet(): Action[] {
    return this.#dispatch({ verb: 'GREETING', args: '', line: '' }, true);
  }

  /** TLS is now in place (implicit TLS or after STARTTLS/STLS). */
  upgraded(): void {
    this.tls = true;
    this.upgrading = false;
    this.mode = { kind: 'line' };
    this.driver.upgraded(this);
  }

  /** Feed received bytes; returns the actions to perform (possibly none). */
  feed(chunk: Buffer): Action[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: Action[] = [];
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (this.ended || this.upgrading) {
        this.#discardRest();
        break;
      }
      const more = this.mode.kind === 'bytes' ? this.#chunk(this.mode, out) : this.#line(out);
      if (!more) break;
    }
    return out;
  }

  #take(n: number): Buffer {
    const raw = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return Buffer.from(raw);
  }

  #discardRest(): void {
    const kind: EntryKind = 'discarded';
    while (this.#buf.length) {
      const i = this.#buf.indexOf(LF);
      const raw = this.#take(i < 0 ? this.#buf.length : i + 1);
      this.record({ connection: this.connection, tls: this.tls, kind, line: stripEol(raw), raw });
    }
  }

  #line(out: Action[]): boolean {
    const i = this.#buf.indexOf(LF);
    if (i < 0) return false;
    const raw = this.#take(i + 1);
    const line = stripEol(raw);
    const kind: EntryKind = this.mode.kind === 'data' ? 'data' : this.mode.kind === 'sasl' ? 'sasl' : 'command';
    this.record({ connection: this.connection, tls: this.tls, kind, line, raw });
    if (this.stalled) return true;
    if (this.mode.kind === 'data') {
      // RFC 5321 §4.1.1.4: the body ends with CRLF "." CRLF; the CRLF before the dot is the
      // last body line's own ending.
      if (raw.equals(Buffer.from('.\r\n'))) {
        const body = Buffer.concat(this.#body.splice(0));
        this.mode = { kind: 'line' };
        out.push(...this.#dispatch({ verb: 'DATA_END', args: '', line: '.' }, true, body));
      } else {
        this.#body.push(raw);
      }
      return true;
    }
    const cmd = this.mode.kind === 'sasl' ? { verb: 'AUTH_RESPONSE', args: line, line } : parseCommand(line);
    const payload = this.mode.kind === 'line' ? this.driver.payload?.(cmd) : undefined;
    if (payload) {
      this.mode = { kind: 'bytes', size: payload.size, last: payload.last, command: cmd };
      return true;
    }
    out.push(...this.#dispatch(cmd, this.mode.kind === 'sasl'));
    return true;
  }

  #chunk(mode: Extract<Mode, { kind: 'bytes' }>, out: Action[]): boolean {
    if (this.#have < mode.size) {
      if (this.#buf.length === 0) return false;
      const piece = this.#take(Math.min(mode.size - this.#have, this.#buf.length));
      this.#body.push(piece);
      this.#have += piece.length;
      if (this.#have < mode.size) return false;
    }
    const chunk = Buffer.concat(this.#body.splice(0));
    this.#have = 0;
    this.record({ connection: this.connection, tls: this.tls, kind: 'bdat', line: chunk.toString('utf8'), raw: chunk });
    this.mode = { kind: 'line' };
    if (!this.stalled) out.push(...this.#dispatch(mode.command, false, chunk));
    return true;
  }

  #dispatch(cmd: Command, pseudo: boolean, body?: Buffer): Action[] {
    const handler = this.script.take(cmd.verb, pseudo);
    const ctx: HandlerContext = {
      connection: this.connection,
      tls: this.tls,
      state: this.state,
      defaultReply: () => this.driver.reply(cmd, this, body),
      ...(body ? { body } : {}),
    };
    const scripted = handler?.(cmd, ctx);
    const actions = scripted === undefined ? ctx.defaultReply() : toActions(scripted);
    if (endsConversation(actions)) {
      if (actions.some((a) => a.kind === 'stall')) this.stalled = true;
      else this.ended = true;
      return actions;
    }
    const next = this.driver.observe(cmd, firstBytes(actions), this, body);
    if (next.mode) this.mode = next.mode;
    if (next.upgrade && !actions.some((a) => a.kind === 'upgrade')) actions.push({ kind: 'upgrade' });
    if (actions.some((a) => a.kind === 'upgrade')) this.upgrading = true;
    if (next.close) {
      actions.push({ kind: 'close' });
      this.ended = true;
    }
    return actions;
  }
}
