/**
 * STAT, LIST and UIDL replies (RFC 1939 §5 and §7), validated strictly: a listing that does
 * not follow the grammar is a protocol error, never a guess.
 */
import { MAX_UID_LENGTH } from './limits.js';
import { failure, quote, success, type Parsed } from './result.js';

/** The maildrop summary of STAT. */
export interface StatResult {
  /** Messages in the maildrop, not counting those marked deleted. */
  readonly count: number;
  /** Their total size in octets. */
  readonly size: number;
}

/** One scan listing: a message number and its size in octets. */
export interface ListEntry {
  readonly msg: number;
  readonly size: number;
}

/** One unique-id listing: a message number and its unique id. */
export interface UidlEntry {
  readonly msg: number;
  readonly uid: string;
}

// Up to 15 digits stays within Number.MAX_SAFE_INTEGER; RFC 1939 allows no sign and no
// other separator than a single space. "More advanced implementations may include other
// information" after the size (RFC 1939 §5, STAT and LIST), so a trailing " ..." is allowed.
const STAT = /^(\d{1,15}) (\d{1,15})(?: .*)?$/s;
// RFC 1939 §7: unique-id is 1 to 70 characters in 0x21-0x7E.
const UIDL = new RegExp(`^(\\d{1,15}) ([\\x21-\\x7e]{1,${MAX_UID_LENGTH}})$`);

/** Parses the text after `+OK ` of a STAT reply: `"2 320"` → `{ count: 2, size: 320 }`. */
export function parseStat(text: string): Parsed<StatResult> {
  const m = STAT.exec(text);
  if (m === null) return failure(`malformed STAT reply ${quote(text)}`);
  return success({ count: Number(m[1]), size: Number(m[2]) });
}

/**
 * Parses one scan listing (a line of the multi-line LIST, or the text after `+OK ` of
 * `LIST n`): `"1 120"` → `{ msg: 1, size: 120 }`. Message numbers start at 1.
 */
export function parseListLine(text: string): Parsed<ListEntry> {
  const m = STAT.exec(text);
  if (m === null || Number(m[1]) < 1) return failure(`malformed scan listing ${quote(text)}`);
  return success({ msg: Number(m[1]), size: Number(m[2]) });
}

/**
 * Parses one unique-id listing (a line of UIDL, or the text after `+OK ` of `UIDL n`):
 * `"1 whqtswO00WBw418f9t5JxYwZ"` → `{ msg: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' }`.
 */
export function parseUidlLine(text: string): Parsed<UidlEntry> {
  const m = UIDL.exec(text);
  if (m === null || Number(m[1]) < 1) return failure(`malformed unique-id listing ${quote(text)}`);
  return success({ msg: Number(m[1]), uid: m[2]! });
}

/**
 * Parses a whole multi-line LIST or UIDL response. Message numbers must be strictly
 * increasing (RFC 1939 lists them in order; a repeated number would make the mapping from
 * number to size or uid ambiguous). Unique ids must be unique (RFC 1939 §7).
 */
export function parseListing<T extends ListEntry | UidlEntry>(
  lines: readonly string[],
  parseLine: (text: string) => Parsed<T>,
): Parsed<T[]> {
  const out: T[] = [];
  const uids = new Set<string>();
  let last = 0;
  for (const line of lines) {
    const r = parseLine(line);
    if (!r.ok) return r;
    if (r.value.msg <= last) return failure(`listing out of order at ${quote(line)}`);
    last = r.value.msg;
    if ('uid' in r.value) {
      if (uids.has(r.value.uid)) return failure(`duplicate unique-id ${quote(r.value.uid)}`);
      uids.add(r.value.uid);
    }
    out.push(r.value);
  }
  return success(out);
}
