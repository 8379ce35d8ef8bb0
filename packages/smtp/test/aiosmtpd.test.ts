// Against aiosmtpd, which records the DATA bytes exactly (unstuffed, line endings as they
// came): what lands is the input normalised (every bare CR and LF a CRLF, a final CRLF),
// for strings, bytes and streams cut at random; and Python's smtplib, sending the same
// inputs, records the same wherever smtplib is correct (not for bytes with bare LF/CR).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { SMTP, type BodyInput, type SendResult } from '../src/index.js';
import { normalized, peer, peerSuite } from './peers.js';

const [skip, title] = peerSuite('aiosmtpd', 'real aiosmtpd (byte-exact recorder)');

const INPUTS: Array<[string, string]> = [
  ['bare LF', 'Subject: lf\n\nline one\nline two\n'],
  ['bare CR', 'Subject: cr\r\rline one\rline two\r'],
  ['dot-leading lines', 'Subject: dots\r\n\r\n.one\r\n..two\r\n...\r\n.\r\nend\r\n'],
  ['LF dot LF', 'Subject: smuggle\n\nbefore\n.\nMAIL FROM:<evil@x>\nafter\n'],
  ['CR dot CR', 'Subject: smuggle\r\rbefore\r.\rRCPT TO:<evil@x>\rafter\r'],
  ['no final newline', 'Subject: eof\r\n\r\nno newline at the end'],
  ['mixed endings and a final dot line', 'Subject: mix\r\n\nA\rB\r\nC\n\r.\n.'],
];

async function connect(): Promise<SMTP> {
  const p = peer('aiosmtpd');
  return SMTP.connect({ host: p.host, port: p.ports.smtp!, security: 'starttls', tls: { ca: p.caPem }, localName: 'client.test', timeout: 10_000 });
}

function recorded(result: SendResult): Buffer {
  const id = result.response.queueId;
  expect(id).toMatch(/^\d{6}$/);
  return readFileSync(join(peer('aiosmtpd').env.SMTP_MAILDIR!, `${id}.eml`));
}

describe.skipIf(skip)(title, () => {
  it.each(INPUTS)('%s: recorded DATA is the normalised input, as string, bytes and stream chunked at random', async (_name, input) => {
    await using smtp = await connect();
    const expected = normalized(input);
    const bytes = Buffer.from(input, 'utf8');
    const forms: Array<[string, () => BodyInput]> = [
      ['string', () => input],
      ['bytes', () => bytes],
      ['Uint8Array', () => new Uint8Array(bytes)],
      ['one-byte stream', () => Readable.from(splitAt(bytes, Array.from({ length: bytes.length }, (_, i) => i), { keepEmpty: true }))],
    ];
    // Random chunkings, including cuts between a CR and its LF.
    const random = fc.sample(fc.array(fc.nat(), { maxLength: 8 }), { numRuns: 8, seed: 42 });
    for (const points of random) forms.push([`stream cut at ${points.join(',')}`, () => Readable.from(splitAt(bytes, points, { keepEmpty: true }))]);
    forms.push(['web ReadableStream', () => Readable.toWeb(Readable.from(splitAt(bytes, [3, 7], { keepEmpty: true })))]);
    forms.push(['async iterable of strings', () => (async function* () { yield input.slice(0, 5); yield input.slice(5); })()]);
    const results = await Promise.all(forms.map(([, make]) => smtp.sendMail({ from: 'a@example.test', to: 'b@example.test', message: make() })));
    for (const [i, result] of results.entries()) {
      expect({ form: forms[i]![0], data: recorded(result).toString('latin1') }).toEqual({ form: forms[i]![0], data: expected.toString('latin1') });
    }
  });

  it('the differential against Python smtplib: same recordings wherever smtplib is correct', async () => {
    const p = peer('aiosmtpd');
    const script = [
      'import json, smtplib, ssl, sys, base64',
      's = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), local_hostname="python.test")',
      's.starttls(context=ssl.create_default_context(cafile=sys.argv[3]))',
      'for item in json.load(sys.stdin):',
      '    raw = base64.b64decode(item["b64"])',
      '    s.sendmail("a@example.test", ["b@example.test"], raw.decode("utf-8") if item["as"] == "str" else raw)',
      's.quit()',
    ].join('\n');
    await using smtp = await connect();
    for (const [name, body] of INPUTS) {
      // A unique first line finds each recording (smtplib's sendmail() keeps no final reply).
      const input = (marker: string): string => `X-Test: ${marker}\r\n${body}`;
      const ours = recorded(await smtp.sendMail({ from: 'a@example.test', to: 'b@example.test', message: Buffer.from(input(`ours-${name}`), 'utf8') }));
      expect(ours.equals(normalized(input(`ours-${name}`))), name).toBe(true);
      const forms = ['str', 'bytes'] as const;
      execFileSync('/usr/bin/python3', ['-c', script, p.host, String(p.ports.smtp), p.ca!], {
        input: JSON.stringify(forms.map((form) => ({ b64: Buffer.from(input(`${form}-${name}`), 'utf8').toString('base64'), as: form }))),
        timeout: 20_000,
      });
      for (const form of forms) {
        const theirs = findRecording(`X-Test: ${form}-${name}\r\n`).toString('latin1').replace(`${form}-${name}`, `ours-${name}`);
        const smtplibCorrect = form === 'str' || !/\r(?!\n)|(?<!\r)\n/.test(body);
        if (smtplibCorrect) expect(theirs, `${name} as ${form}`).toBe(ours.toString('latin1'));
        // smtplib sends bytes as given: bare LFs and CRs reach the server un-normalised.
        else expect(theirs, `${name} as ${form}`).not.toBe(ours.toString('latin1'));
      }
    }
  });
});

/** The recording that starts with `firstLine`. */
function findRecording(firstLine: string): Buffer {
  const dir = peer('aiosmtpd').env.SMTP_MAILDIR!;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
    const data = readFileSync(join(dir, name));
    if (data.subarray(0, firstLine.length).toString('utf8') === firstLine) return data;
  }
  throw new Error(`no recording starts with ${JSON.stringify(firstLine)}`);
}
