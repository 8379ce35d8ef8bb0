/**
 * EHLO/LHLO replies to capabilities (RFC 5321 §4.1.1.1, RFC 2033 §4.1).
 *
 * The first line names the server; each further line is `keyword [params]`. Keywords are
 * case-insensitive (stored upper-case). The pre-standard `AUTH=LOGIN PLAIN` form some
 * servers still send next to (or instead of) `AUTH LOGIN PLAIN` is merged into AUTH.
 */
import type { Reply } from './reply.js';

/** What the server announced in its EHLO/LHLO reply. */
export interface Capabilities {
  /** The server's name from the first line (its first word). */
  readonly serverName: string;
  /** Every keyword (upper-case) with its parameters (as sent). */
  readonly keywords: ReadonlyMap<string, readonly string[]>;
  /** SASL mechanisms (upper-case, deduplicated) from `AUTH` and old-style `AUTH=`. */
  readonly auth: readonly string[];
  /**
   * SIZE (RFC 1870 §4): the declared maximum in octets; `0` = announced without a fixed
   * maximum; `undefined` = SIZE not announced.
   */
  readonly size: number | undefined;
}

/** Parses the positive reply to EHLO or LHLO. */
export function parseEhlo(reply: Reply): Capabilities {
  const [first = '', ...rest] = reply.lines;
  const keywords = new Map<string, string[]>();
  const auth: string[] = [];
  for (const line of rest) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    // RFC 5321 §4.1.1.1: ehlo-line = ehlo-keyword *( SP / "=" ehlo-param ); "=" is the old AUTH form.
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](.*))?$/.exec(trimmed);
    if (!m?.[1]) continue;
    const keyword = m[1].toUpperCase();
    const params = (m[2] ?? '').split(/\s+/).filter((p) => p !== '');
    if (keyword === 'AUTH') {
      for (const p of params) if (!auth.includes(p.toUpperCase())) auth.push(p.toUpperCase());
    }
    const existing = keywords.get(keyword);
    if (existing) existing.push(...params.filter((p) => !existing.includes(p)));
    else keywords.set(keyword, params);
  }
  if (keywords.has('AUTH')) keywords.set('AUTH', [...auth]);
  return { serverName: first.trim().split(/\s+/)[0] ?? '', keywords, auth, size: parseSize(keywords.get('SIZE')) };
}

function parseSize(params: readonly string[] | undefined): number | undefined {
  if (params === undefined) return undefined;
  const value = params[0];
  if (value === undefined || !/^\d{1,15}$/.test(value)) return 0;
  return Number(value);
}

/** Capabilities of a server that only answered HELO (no extensions at all). */
export function heloCapabilities(reply: Reply): Capabilities {
  return { serverName: (reply.lines[0] ?? '').trim().split(/\s+/)[0] ?? '', keywords: new Map(), auth: [], size: undefined };
}

/** True when `keyword` (any case) was announced. */
export function hasKeyword(caps: Capabilities, keyword: string): boolean {
  return caps.keywords.has(keyword.toUpperCase());
}

/** Formats capabilities as EHLO reply lines (the server half): `[name, 'PIPELINING', 'SIZE 1000', …]`. */
export function formatEhloLines(serverName: string, greeting: string, keywords: ReadonlyMap<string, readonly string[]>): string[] {
  const lines = [`${serverName}${greeting === '' ? '' : ` ${greeting}`}`];
  for (const [keyword, params] of keywords) lines.push([keyword, ...params].join(' '));
  return lines;
}
