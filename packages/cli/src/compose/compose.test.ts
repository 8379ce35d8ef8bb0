import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, parseHeaderOption } from './compose.js';
import { envelopeFromHeaders, parseHeaders, stripBcc } from './headers.js';

describe('compose', () => {
  it('builds a multipart message with an attachment, CRLF line ends, no Bcc header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailctl-compose-'));
    try {
      const file = join(dir, 'report.pdf');
      await writeFile(file, Buffer.from([0, 1, 2, 255]));
      const c = await compose({
        from: 'Me <me@example.org>',
        to: ['you@example.org'],
        cc: ['cc@example.org'],
        bcc: ['hidden@example.org'],
        subject: 'Grüße',
        text: 'hello\n',
        attachments: [file],
        headers: ['X-Test: 1'],
        priority: 'high',
      });
      const text = c.message.toString();
      expect(c.envelope).toEqual({ from: 'me@example.org', to: ['you@example.org', 'cc@example.org', 'hidden@example.org'] });
      expect(text).toMatch(/^Subject: =\?UTF-8\?Q\?Gr=C3=BC=C3=9Fe\?=\r$/m);
      expect(text).toMatch(/^X-Test: 1\r$/m);
      expect(text).toMatch(/^X-Priority: 1 \(Highest\)\r$/m);
      expect(text).toMatch(/filename=report\.pdf/);
      expect(text).toContain('AAEC/w==');
      expect(text).toMatch(/^Message-ID: <.+>\r$/m);
      expect(text).toMatch(/^Date: /m);
      expect(text).not.toMatch(/^Bcc:/im);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses header injection in --header', () => {
    expect(() => parseHeaderOption('X-A: b\r\nBcc: x@y')).toThrow(/CR, LF/);
    expect(() => parseHeaderOption('no colon')).toThrow();
    expect(parseHeaderOption('X-A:  b ')).toEqual(['X-A', 'b']);
  });
});

describe('raw message headers', () => {
  const raw = Buffer.from('From: "A" <a@x.org>\r\nTo: b@x.org,\r\n c@x.org\r\nBcc: secret@x.org\r\n  , s2@x.org\r\nSubject: s\r\n\r\nBcc: in body\r\n');

  it('derives the envelope like sendmail -t', () => {
    expect(envelopeFromHeaders(raw)).toEqual({ from: 'a@x.org', to: ['b@x.org', 'c@x.org', 'secret@x.org', 's2@x.org'] });
    expect(parseHeaders(raw).find((f) => f.name === 'To')?.value).toBe('b@x.org, c@x.org');
  });

  it('strips Bcc from the header block only', () => {
    const out = stripBcc(raw).toString();
    expect(out).toBe('From: "A" <a@x.org>\r\nTo: b@x.org,\r\n c@x.org\r\nSubject: s\r\n\r\nBcc: in body\r\n');
  });
});
