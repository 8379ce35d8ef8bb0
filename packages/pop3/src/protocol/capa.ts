/**
 * The CAPA response (RFC 2449 §5): one capability per line, a tag and its arguments.
 */
import { failure, quote, success, type Parsed } from './result.js';

// RFC 2449 §5: capa-tag = 1*cchar; cchar = %x21-2D / %x2F-7F (printable, no SP, no ".").
// We also accept "." inside a tag (after the first character: the listing's own dot-stuffing
// removed the leading one), since some servers send "X-FOO.BAR" vendor tags.
const TAG = /^[\x21-\x7e]+$/;
// Arguments are printable ASCII words; the IMPLEMENTATION text may carry UTF-8 in practice.
// eslint-disable-next-line no-control-regex
const ARGS = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;

/**
 * The parsed capabilities of a server. Tags are upper-cased; lookups are case-insensitive
 * (RFC 2449 §5: "capability names are case-insensitive").
 */
export class POP3Capabilities {
  readonly #map: ReadonlyMap<string, readonly string[]>;

  /** Builds from `tag -> arguments` (tags upper-cased by {@link parseCapa}). */
  constructor(map: ReadonlyMap<string, readonly string[]>) {
    this.#map = map;
  }

  /** Whether the capability `name` is listed. */
  has(name: string): boolean {
    return this.#map.has(name.toUpperCase());
  }

  /** The arguments of `name`, or `undefined` when it is not listed. */
  get(name: string): readonly string[] | undefined {
    return this.#map.get(name.toUpperCase());
  }

  /** Every tag, upper-cased, in the server's order. */
  get names(): string[] {
    return [...this.#map.keys()];
  }

  /** SASL mechanisms offered (RFC 2449 §6.3 / RFC 5034 §3), upper-cased; empty if none. */
  get sasl(): string[] {
    return (this.get('SASL') ?? []).map((m) => m.toUpperCase());
  }

  /** RFC 2449 §6.6: several commands may be sent before their replies. */
  get pipelining(): boolean {
    return this.has('PIPELINING');
  }

  /** RFC 2595 §4: the STLS command is available. */
  get stls(): boolean {
    return this.has('STLS');
  }

  /** RFC 2449 §6.7: seconds between logins the server enforces, if announced. */
  get loginDelay(): number | undefined {
    const arg = this.get('LOGIN-DELAY')?.[0];
    return arg !== undefined && /^\d{1,9}$/.test(arg) ? Number(arg) : undefined;
  }

  /** RFC 2449 §6.5: days messages are kept (`'NEVER'` or a number), if announced. */
  get expire(): number | 'NEVER' | undefined {
    const arg = this.get('EXPIRE')?.[0];
    if (arg === undefined) return undefined;
    if (arg.toUpperCase() === 'NEVER') return 'NEVER';
    return /^\d{1,9}$/.test(arg) ? Number(arg) : undefined;
  }

  /** RFC 2449 §6.9: the server's free-form implementation string. */
  get implementation(): string | undefined {
    const args = this.get('IMPLEMENTATION');
    return args === undefined ? undefined : args.join(' ');
  }

  /** A plain object for logging and snapshots: `{ TAG: [args] }`. */
  toJSON(): Record<string, string[]> {
    return Object.fromEntries([...this.#map].map(([k, v]) => [k, [...v]]));
  }
}

/**
 * Parses the lines of a CAPA response (already unstuffed, without the final dot). Blank
 * lines are ignored; a tag with control or non-ASCII characters, or arguments with control
 * characters, fail with `MAIL_PROTOCOL`. A repeated tag keeps the first occurrence.
 */
export function parseCapa(lines: readonly string[]): Parsed<POP3Capabilities> {
  const map = new Map<string, readonly string[]>();
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const [tag = '', ...args] = trimmed.split(/[ \t]+/);
    if (!TAG.test(tag)) return failure(`malformed CAPA tag ${quote(tag)}`);
    if (!ARGS.test(trimmed)) return failure(`control characters in CAPA line ${quote(line)}`);
    const key = tag.toUpperCase();
    if (!map.has(key)) map.set(key, args);
  }
  return success(new POP3Capabilities(map));
}
