import { describe, expect, it } from 'vitest';
import { headerValues, parseAddressList, parseHeaderSection, withoutFields } from './headers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseHeaderSection', () => {
  it('unfolds fields and finds the end of the section (CRLF and LF)', () => {
    for (const nl of ['\r\n', '\n']) {
      const text = `From: a@b.c${nl}To: x@y.z,${nl}\t y@y.z${nl}Subject: hi${nl}${nl}body${nl}`;
      const section = parseHeaderSection(enc(text));
      expect(section.fields.map((f) => [f.name, f.value])).toEqual([['From', 'a@b.c'], ['To', 'x@y.z,\t y@y.z'], ['Subject', 'hi']]);
      expect(section.length).toBe(text.indexOf(`${nl}${nl}`) + 2 * nl.length);
      expect(headerValues(section, 'to')).toEqual(['x@y.z,\t y@y.z']);
    }
  });

  it('counts bytes of UTF-8 headers', () => {
    const text = 'Subject: café\r\nBcc: b@c.d\r\n\r\nx';
    const section = parseHeaderSection(enc(text));
    expect(new TextDecoder().decode(withoutFields(enc(text), section, ['bcc']))).toBe('Subject: café\r\n\r\nx');
  });

  it('stops at a line that is not a field', () => {
    expect(parseHeaderSection(enc('From: a@b\r\nnot a header\r\n\r\n')).length).toBe(-1);
  });
});

describe('parseAddressList (RFC 5322 §3.4)', () => {
  it.each([
    ['a@b.c', ['a@b.c']],
    ['Alice <alice@example.com>, bob@example.com', ['alice@example.com', 'bob@example.com']],
    ['"Doe, John" <john@example.com>', ['john@example.com']],
    ['undisclosed-recipients:;', []],
    ['team: a@x.test, B <b@x.test>; c@y.test', ['a@x.test', 'b@x.test', 'c@y.test']],
    ['a@b.c (Alice, comment)', ['a@b.c']],
    ['"quoted local"@example.com', ['"quoted local"@example.com']],
    ['Jörg <jörg@bücher.example>', ['jörg@bücher.example']],
    ['', []],
  ])('%j', (value, addresses) => {
    expect(parseAddressList(value)).toEqual(addresses);
  });
});

describe('withoutFields', () => {
  it('removes every occurrence with its continuation lines and keeps everything else byte for byte', () => {
    const text = 'From: a@b\r\nBcc: x@y,\r\n  z@y\r\nTo: t@y\r\nbcc: w@y\r\n\r\nBcc: in the body\r\n';
    const bytes = enc(text);
    const out = new TextDecoder().decode(withoutFields(bytes, parseHeaderSection(bytes), ['Bcc']));
    expect(out).toBe('From: a@b\r\nTo: t@y\r\n\r\nBcc: in the body\r\n');
  });
});
