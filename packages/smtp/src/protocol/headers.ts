/**
 * The little of RFC 5322 that smtplib's send_message needs: the header section (fields,
 * unfolded), address lists (§3.4: mailboxes, groups, comments, quoted strings), and the
 * header section with some fields removed (Bcc).
 */

/** One header field. */
export interface HeaderField {
  /** Field name as written. */
  name: string;
  /** Unfolded value (RFC 5322 §2.2.3), leading white space trimmed. */
  value: string;
  /** Byte range of the field in the header section, continuation lines included. */
  start: number;
  end: number;
}

/** The header section of a message. */
export interface HeaderSection {
  fields: HeaderField[];
  /** Octets of the header section, the empty line that ends it included; -1 when no empty line was found. */
  length: number;
}

/**
 * Parses the header section at the start of `bytes` (CRLF or bare LF line endings). Lines
 * that are not fields (no colon) end the section, as mail readers do with malformed input.
 */
export function parseHeaderSection(bytes: Uint8Array): HeaderSection {
  const text = new TextDecoder('utf-8').decode(bytes);
  const fields: HeaderField[] = [];
  let pos = 0;
  let offset = 0; // byte offset matching `pos`
  const enc = new TextEncoder();
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    const line = text.slice(pos, lineEnd);
    const bytesOfLine = enc.encode(line).length;
    const content = line.replace(/\r?\n$/, '');
    if (content === '') return { fields, length: offset + bytesOfLine };
    if ((content.startsWith(' ') || content.startsWith('\t')) && fields.length > 0) {
      const last = fields[fields.length - 1]!;
      last.value += content;
      last.end = offset + bytesOfLine;
    } else {
      const colon = content.indexOf(':');
      if (colon <= 0 || /[\s]/.test(content.slice(0, colon))) return { fields, length: -1 };
      fields.push({ name: content.slice(0, colon), value: content.slice(colon + 1).trimStart(), start: offset, end: offset + bytesOfLine });
    }
    if (nl === -1) break;
    pos = lineEnd;
    offset += bytesOfLine;
  }
  return { fields, length: -1 };
}

/** The values of every field named `name` (case-insensitive), in order. */
export function headerValues(section: HeaderSection, name: string): string[] {
  const lower = name.toLowerCase();
  return section.fields.filter((f) => f.name.toLowerCase() === lower).map((f) => f.value);
}

/**
 * The addresses in RFC 5322 address lists: `a@b`, `Name <a@b>`, `"Quoted, Name" <a@b>`,
 * `group: a@b, c@d;`, with comments removed. Empty groups give nothing.
 */
export function parseAddressList(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let angle: string | undefined;
  let inAngle = false;
  let quoted = false;
  let depth = 0;
  const flush = (): void => {
    const address = (angle ?? current).trim();
    if (address !== '' && address.includes('@')) out.push(address);
    current = '';
    angle = undefined;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') { current += value.slice(i, i + 2); i++; continue; }
      if (c === '"') quoted = false;
      current += c;
      if (inAngle) angle = (angle ?? '') + c;
      continue;
    }
    if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    if (c === '(') { depth = 1; continue; }
    if (c === '"') { quoted = true; current += c; if (inAngle) angle = (angle ?? '') + c; continue; }
    if (inAngle) {
      if (c === '>') inAngle = false;
      else angle = (angle ?? '') + c;
      continue;
    }
    if (c === '<') { inAngle = true; angle = ''; continue; }
    if (c === ':') { current = ''; continue; } // group display name
    if (c === ',' || c === ';') { flush(); continue; }
    current += c;
  }
  flush();
  // A quoted local part keeps its quotes; white space outside quotes is not part of an address.
  return out.map((a) => (a.startsWith('"') ? a : a.replace(/\s+/g, '')));
}

/** The header section without the fields named in `names` (case-insensitive), as bytes. */
export function withoutFields(bytes: Uint8Array, section: HeaderSection, names: readonly string[]): Uint8Array {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  const removed = section.fields.filter((f) => drop.has(f.name.toLowerCase()));
  if (removed.length === 0) return bytes;
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const f of removed) {
    parts.push(bytes.subarray(last, f.start));
    last = f.end;
  }
  parts.push(bytes.subarray(last));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
