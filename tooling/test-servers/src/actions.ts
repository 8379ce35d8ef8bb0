// What a scripted server does on the wire. The engine (engine.ts) only produces these
// values; the socket driver (connection.ts) performs them in order.

/** One step the server performs, in order, after a command (or at connect for the greeting). */
export type Action =
  /** One socket write (one TCP segment / one TLS record on loopback). */
  | { readonly kind: 'write'; readonly data: Buffer }
  /** Write `data` in pieces cut at the given byte offsets, `gapMs` apart (pieces arrive separately). */
  | { readonly kind: 'split'; readonly data: Buffer; readonly at: readonly number[]; readonly gapMs: number }
  /** Write `data` one byte at a time, `everyMs` apart. */
  | { readonly kind: 'drip'; readonly data: Buffer; readonly everyMs: number }
  /** Wait before the next action. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Start the server side of TLS now (STARTTLS/STLS); bytes still unread in plaintext are discarded. */
  | { readonly kind: 'upgrade' }
  /** Graceful end (FIN) after the previous writes. */
  | { readonly kind: 'close' }
  /** Abortive close: destroy with a TCP RST. */
  | { readonly kind: 'reset' }
  /** Never answer again on this connection (input is still recorded). */
  | { readonly kind: 'stall' };

/**
 * What a handler may return: a string/Buffer is written verbatim in ONE write (include the
 * CRLFs yourself), an action or list of actions is performed in order, `null` answers
 * nothing, `undefined` means "use the default reply".
 */
export type Reply = string | Buffer | Action | readonly Action[] | null | undefined;

const bytes = (data: string | Buffer): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

/** Builders for {@link Action}s, for use in scripts. */
export const act = {
  /** One write of `data` (e.g. a reply plus injected bytes in the same packet). */
  write: (data: string | Buffer): Action => ({ kind: 'write', data: bytes(data) }),
  /** Write `data` split at each byte offset in `at` (ascending), `gapMs` (default 30) apart. */
  split: (data: string | Buffer, at: number | readonly number[], gapMs = 30): Action =>
    ({ kind: 'split', data: bytes(data), at: typeof at === 'number' ? [at] : at, gapMs }),
  /** Write `data` one byte every `everyMs` ms. */
  drip: (data: string | Buffer, everyMs = 5): Action => ({ kind: 'drip', data: bytes(data), everyMs }),
  delay: (ms: number): Action => ({ kind: 'delay', ms }),
  upgrade: (): Action => ({ kind: 'upgrade' }),
  close: (): Action => ({ kind: 'close' }),
  reset: (): Action => ({ kind: 'reset' }),
  stall: (): Action => ({ kind: 'stall' }),
  /** Write a reply then close (e.g. `421 4.3.2 Shutting down`), as servers do after 421. */
  closeWith: (data: string | Buffer): Action[] => [{ kind: 'write', data: bytes(data) }, { kind: 'close' }],
} as const;

/** Normalise a non-undefined {@link Reply} into a list of actions. */
export function toActions(reply: Exclude<Reply, undefined>): Action[] {
  if (reply === null) return [];
  if (typeof reply === 'string' || Buffer.isBuffer(reply)) return [act.write(reply)];
  if (isActionList(reply)) return [...reply];
  return [reply];
}

function isActionList(reply: Action | readonly Action[]): reply is readonly Action[] {
  return Array.isArray(reply);
}

/**
 * Every byte the actions would write, joined: to split, drip or extend a default reply, e.g.
 * `(_cmd, ctx) => act.split(bytesOf(ctx.defaultReply()), 7)`.
 */
export function bytesOf(actions: readonly Action[]): Buffer {
  return Buffer.concat(actions.flatMap((a) => (a.kind === 'write' || a.kind === 'split' || a.kind === 'drip' ? [a.data] : [])));
}

/** The first bytes the actions would write (to decide e.g. whether a DATA reply was 354). */
export function firstBytes(actions: readonly Action[]): Buffer {
  for (const a of actions) {
    if (a.kind === 'write' || a.kind === 'split' || a.kind === 'drip') return a.data;
  }
  return Buffer.alloc(0);
}

/** True when the actions end the conversation (no upgrade or mode change should follow). */
export function endsConversation(actions: readonly Action[]): boolean {
  return actions.some((a) => a.kind === 'close' || a.kind === 'reset' || a.kind === 'stall');
}
