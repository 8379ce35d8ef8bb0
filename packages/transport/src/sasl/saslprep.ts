/**
 * SASLprep (RFC 4013): the stringprep (RFC 3454) profile for user names and passwords.
 *
 * Steps (RFC 4013 §2): map non-ASCII spaces to SPACE and "commonly mapped to nothing"
 * characters to nothing, normalise with NFKC, refuse prohibited output, check bidi (RFC 3454
 * §6), and, for stored strings only, refuse code points unassigned in Unicode 3.2.
 *
 * Known deviation: NFKC comes from the JavaScript engine (a newer Unicode than 3.2). For
 * characters assigned in Unicode 3.2 the result is the same (normalisation stability);
 * characters assigned later are rejected in stored-string mode anyway.
 */
import { MailError } from '../errors.js';
import { L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED, RAND_AL_CAT, UNASSIGNED, inTable } from './saslprep-tables.js';

/** Options of {@link saslprep}. */
export interface SaslprepOptions {
  /**
   * Query strings (the default, and what SCRAM uses per RFC 5802 §2.2) allow code points
   * unassigned in Unicode 3.2; stored strings (`false`) refuse them (RFC 3454 §7).
   */
  allowUnassigned?: boolean;
  /** Names the value in error messages ("password"); the value itself is never quoted. */
  what?: string;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function fail(what: string, reason: string): never {
  throw new MailError('MAIL_INVALID_ARGUMENT', `${what} is not allowed by SASLprep: ${reason}`);
}

/** RFC 3454 C.4: U+FFFE and U+FFFF of every plane are non-characters. */
function isPlaneNonCharacter(cp: number): boolean {
  return (cp & 0xfffe) === 0xfffe;
}

/**
 * Prepares a user name or password with SASLprep (RFC 4013). Returns the prepared string;
 * throws MailError `MAIL_INVALID_ARGUMENT` for prohibited characters, bad bidi, or (stored
 * strings) unassigned code points. Printable ASCII is returned unchanged without any work.
 *
 * @example
 * ```ts
 * saslprep('I\u00ADX'); // 'IX'
 * saslprep('\u2168');   // 'IX'
 * ```
 */
export function saslprep(input: string, options: SaslprepOptions = {}): string {
  if (PRINTABLE_ASCII.test(input)) return input;
  const what = options.what ?? 'string';

  // RFC 4013 §2.1 Mapping. C.1.2 is checked first, so U+200B (in both C.1.2 and B.1)
  // becomes a space.
  let mapped = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0) as number;
    if (inTable(NON_ASCII_SPACE, cp)) mapped += ' ';
    else if (!inTable(MAPPED_TO_NOTHING, cp)) mapped += ch;
  }

  // RFC 4013 §2.2 Normalization: Unicode normalization form KC.
  const output = mapped.normalize('NFKC');

  let hasRandAL = false;
  let hasL = false;
  const codePoints: number[] = [];
  for (const ch of output) {
    const cp = ch.codePointAt(0) as number;
    codePoints.push(cp);
    // RFC 4013 §2.3 Prohibited Output (lone surrogates land in C.5 here).
    if (inTable(PROHIBITED, cp) || isPlaneNonCharacter(cp)) fail(what, 'it contains a prohibited character (RFC 4013 §2.3)');
    // RFC 4013 §2.5 / RFC 3454 §7: unassigned code points only in queries.
    if (options.allowUnassigned === false && inTable(UNASSIGNED, cp)) {
      fail(what, 'it contains a code point unassigned in Unicode 3.2 (RFC 3454 §7)');
    }
    if (inTable(RAND_AL_CAT, cp)) hasRandAL = true;
    else if (inTable(L_CAT, cp)) hasL = true;
  }

  // RFC 4013 §2.4 Bidirectional Characters, per RFC 3454 §6.
  if (hasRandAL) {
    if (hasL) fail(what, 'it mixes left-to-right and right-to-left characters (RFC 3454 §6)');
    const first = codePoints[0] as number;
    const last = codePoints[codePoints.length - 1] as number;
    if (!inTable(RAND_AL_CAT, first) || !inTable(RAND_AL_CAT, last)) {
      fail(what, 'right-to-left text must start and end with a right-to-left character (RFC 3454 §6)');
    }
  }
  return output;
}
