/**
 * LIST and UIDL (RFC 1939 §5, §7): the whole listing or one message's entry.
 */
import type { Core } from './core.js';
import type { CallOptions } from './options.js';
import { parseListing, type ListEntry, type Parsed, type UidlEntry } from './protocol/index.js';
import { checkMsg } from './retrieve.js';

/** Sends `verb` alone and parses the multi-line listing. */
export function listAll<E extends ListEntry | UidlEntry>(
  core: Core,
  verb: 'LIST' | 'UIDL',
  parseLine: (text: string) => Parsed<E>,
  options: CallOptions,
): Promise<E[]> {
  const { signal } = options;
  return core.queue.run(async () => {
    await core.exchange(verb, { signal });
    const lines = await core.conn.readDotLines({ signal, phase: 'command' });
    return core.unwrap(parseListing(lines, parseLine));
  }, signal);
}

/** Sends `verb msg` and parses the one-line answer. */
export async function listOne<E>(
  core: Core,
  verb: 'LIST' | 'UIDL',
  msg: number,
  parseLine: (text: string) => Parsed<E>,
  options: CallOptions,
): Promise<E> {
  const reply = await core.command(`${verb} ${checkMsg(msg)}`, options);
  return core.unwrap(parseLine(reply.text));
}
