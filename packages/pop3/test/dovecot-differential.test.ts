// Differential test: for every message of a Dovecot mailbox, our `retr` is byte-identical to
// Python poplib's lines each followed by CRLF (poplib strips the line ends and unstuffs).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inCI } from '@mail/peers';
import { connectDovecot, deliver, dovecotMissing, emptyMailbox, useDovecot } from './dovecot-helpers.js';

const PYTHON = '/usr/bin/python3';
const pythonMissing = existsSync(PYTHON) || inCI() ? undefined : `${PYTHON} not found`;
if (pythonMissing !== undefined) console.warn(`[pop3] poplib differential test skipped: ${pythonMissing}`);

// Reads every message with poplib over POP3S (certificate verified against the peer's CA)
// and prints, per message, the hex of b''.join(line + b'\r\n' for line in lines).
const SCRIPT = `
import json, poplib, ssl, sys
host, port, user, password, ca = sys.argv[1:6]
poplib._MAXLINE = 1 << 24   # poplib's 2048-byte line limit would reject long lines (bpo-16041)
ctx = ssl.create_default_context(cafile=ca)
p = poplib.POP3_SSL(host, int(port), context=ctx, timeout=20)
p.user(user); p.pass_(password)
count = p.stat()[0]
out = []
for n in range(1, count + 1):
    resp, lines, octets = p.retr(n)
    out.append(b''.join(line + b'\\r\\n' for line in lines).hex())
p.quit()
print(json.dumps(out))
`;

function poplibMessages(args: string[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', SCRIPT, ...args], { timeout: 60_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`poplib failed: ${stderr}`, { cause: error }));
      else resolve((JSON.parse(stdout) as string[]).map((h) => Buffer.from(h, 'hex')));
    });
  });
}

// Edge cases of framing and content: dot-leading lines, a lone dot, empty body, no final
// newline, CRLF already stored, 8-bit bytes, a bare CR, tabs, a line over 2048 bytes.
const MAILBOX: (string | Buffer)[] = [
  'Subject: dots\n\n.\n..\n...\n.x\n..x\nend\n',
  'Subject: empty body\n\n',
  'Subject: no final newline\n\nlast line without LF',
  'Subject: crlf stored\r\n\r\nline one\r\nline two\r\n',
  Buffer.concat([Buffer.from('Subject: 8bit\nContent-Type: text/plain; charset=latin1\n\ncaf'), Buffer.from([0xe9, 0x0a, 0xff, 0xfe, 0x0a])]),
  'Subject: bare cr\n\nbefore\rafter\n',
  'Subject: tabs\n\n\tindented\t\n \n',
  `Subject: long line\n\n${'L'.repeat(70_000)}\n`,
  'Subject: dot at 1st column of header? no\n.Weird: header\n\nbody\n',
];

describe.skipIf(dovecotMissing !== undefined || pythonMissing !== undefined)('differential: retr vs Python poplib', () => {
  const dovecot = useDovecot();
  beforeAll(() => {
    emptyMailbox(dovecot.peer);
    deliver(dovecot.peer, MAILBOX);
  });

  it('is byte-identical for every message', async () => {
    const peer = dovecot.peer;
    const theirs = await poplibMessages([peer.host, String(peer.ports.pop3s), peer.user!, peer.pass!, peer.ca!]);
    expect(theirs).toHaveLength(MAILBOX.length);
    const pop = await connectDovecot(peer, 'tls');
    try {
      await pop.login(peer.user!, peer.pass!);
      for (let n = 1; n <= MAILBOX.length; n++) {
        const ours = await pop.retr(n);
        expect(ours.equals(theirs[n - 1]!), `message ${n}: ${JSON.stringify(ours.toString('latin1').slice(0, 80))}`).toBe(true);
        const chunks: Buffer[] = [];
        for await (const chunk of pop.retrStream(n)) chunks.push(chunk);
        const streamed = Buffer.concat(chunks);
        expect(streamed.equals(ours)).toBe(true);
      }
    } finally {
      await pop.close();
    }
  });
});
