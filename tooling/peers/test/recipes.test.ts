// Each recipe starts on free ports, answers real clients, and stops leaving nothing behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { TestClient } from '@mail/test-servers';
import { describe, expect, it } from 'vitest';
import {
  addMessage, freePorts, inCI, lmtpInstalled, parseExports, type PeerInfo, peerMissing, type PeerName, peerProcesses,
  processAlive, startPeer, stopPeer,
} from '../src/index.js';

/** Outside CI a missing peer skips (with the reason in the title); in CI the test runs and fails. */
function needs(name: PeerName): { skip: boolean; title: string } {
  const why = peerMissing(name);
  return { skip: why !== undefined && !inCI(), title: why === undefined ? name : `${name} (SKIPPED: ${why})` };
}

async function expectStoppedCleanly(peer: PeerInfo): Promise<void> {
  await stopPeer(peer);
  expect(existsSync(peer.dir)).toBe(false);
  expect(peer.pids.length).toBeGreaterThan(0);
  for (const pid of peer.pids) expect(processAlive(pid)).toBe(false);
  expect(peerProcesses(peer)).toEqual([]);
}

async function smtpSession(port: number, host: string): Promise<{ c: TestClient; greeting: string; ehlo: string[] }> {
  const c = await TestClient.connect({ port, host });
  const greeting = (await c.readReply()).join('\n');
  await c.write('EHLO client.test\r\n');
  return { c, greeting, ehlo: await c.readReply() };
}

describe('helpers', () => {
  it('finds distinct free ports and parses recipe exports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) expect(p).toBeGreaterThan(1023);
    expect(parseExports("export A='1'\n# noise\nexport B_C='/tmp/x y'\n")).toEqual({ A: '1', B_C: '/tmp/x y' });
  });
});

const dovecot = needs('dovecot');
describe.skipIf(dovecot.skip)(dovecot.title, () => {
  it('serves POP3 (STLS, POP3S, SASL), takes messages by file and by LMTP, stops cleanly', async () => {
    const peer = await startPeer('dovecot');
    try {
      expect(peer.host).toBe('127.0.0.1');
      expect(peer.ports.pop3).toBeGreaterThan(0);
      const c = await TestClient.connect({ port: peer.ports.pop3!, host: peer.host });
      expect(await c.readLine()).toMatch(/^\+OK .*<.+@.+>$/);
      await c.write('CAPA\r\n');
      const capa = await c.readMultiline();
      expect(capa).toEqual(expect.arrayContaining(['STLS', 'PIPELINING', 'UIDL', 'TOP']));
      expect(capa.find((l) => l.startsWith('SASL '))).toContain('CRAM-MD5');
      await addMessage(peer, 'From: a@example.test\nSubject: one\n\n.dot line\n');
      await c.write(`USER ${peer.user!}\r\nPASS ${peer.pass!}\r\nSTAT\r\nRETR 1\r\n`);
      expect([await c.readLine(), await c.readLine(), await c.readLine()].map((l) => l.slice(0, 3))).toEqual(['+OK', '+OK', '+OK']);
      expect((await c.readMultiline()).slice(-1)).toEqual(['.dot line']);
      c.close();
      const s = await TestClient.connect({ port: peer.ports.pop3s!, host: peer.host, tls: { ca: readFileSync(peer.ca!, 'utf8') } });
      expect(await s.readLine()).toMatch(/^\+OK/);
      s.close();
      if (peer.ports.lmtp) {
        const l = await TestClient.connect({ port: peer.ports.lmtp, host: peer.host });
        expect(await l.readLine()).toMatch(/^220 .*Dovecot/);
        await l.write('LHLO client.test\r\n');
        const ehlo = await l.readReply();
        expect(ehlo.join('\n')).toContain('PIPELINING');
        await l.write(`MAIL FROM:<a@example.test>\r\nRCPT TO:<${peer.user!}@example.test>\r\nDATA\r\n`);
        expect([await l.readLine(), await l.readLine(), await l.readLine()].map((x) => x.slice(0, 3))).toEqual(['250', '250', '354']);
        await l.write('Subject: via lmtp\r\n\r\nhi\r\n.\r\n');
        expect(await l.readLine()).toMatch(/^250 /);
        l.close();
        expect(readdirSync(`${peer.env.POP3_MAILDIR!}/new`).length + readdirSync(`${peer.env.POP3_MAILDIR!}/cur`).length).toBe(2);
      } else if (inCI()) {
        throw new Error('dovecot-lmtpd must be installed in CI');
      }
    } finally {
      await expectStoppedCleanly(peer);
    }
  });

  it('runs several instances side by side on different ports', async () => {
    const [a, b] = await Promise.all([startPeer('dovecot'), startPeer('dovecot')]);
    try {
      expect(a.ports.pop3).not.toBe(b.ports.pop3);
      expect(a.dir).not.toBe(b.dir);
      for (const p of [a, b]) {
        const c = await TestClient.connect({ port: p.ports.pop3!, host: p.host });
        expect(await c.readLine()).toMatch(/^\+OK/);
        c.close();
      }
    } finally {
      await Promise.all([expectStoppedCleanly(a), expectStoppedCleanly(b)]);
    }
  });
});

const postfix = needs('postfix');
describe.skipIf(postfix.skip)(postfix.title, () => {
  it('answers EHLO with the extensions, delivers into the Dovecot mailbox, stops cleanly', async () => {
    const peer = await startPeer('postfix');
    try {
      const { c, greeting, ehlo } = await smtpSession(peer.ports.smtp!, peer.host);
      expect(greeting).toMatch(/^220 mx\.example\.test ESMTP/);
      const kw = ehlo.map((l) => l.slice(4).split(' ')[0]);
      expect(kw).toEqual(expect.arrayContaining(['PIPELINING', 'SIZE', 'STARTTLS', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'DSN', 'ENHANCEDSTATUSCODES']));
      const body = 'Subject: bdat\r\n\r\nvia postfix\r\n';
      await c.write(`MAIL FROM:<a@example.test>\r\nRCPT TO:<${peer.user!}@example.test>\r\nBDAT ${body.length} LAST\r\n${body}`);
      expect([await c.readLine(), await c.readLine(), await c.readLine()].map((x) => x.slice(0, 3))).toEqual(['250', '250', '250']);
      c.close();
      const maildir = peer.env.POP3_MAILDIR!;
      const count = (): number => readdirSync(`${maildir}/new`).length;
      for (let i = 0; i < 100 && count() === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(count()).toBe(1);
      const s = await TestClient.connect({ port: peer.ports.smtps!, host: peer.host, tls: { ca: readFileSync(peer.ca!, 'utf8') } });
      expect(await s.readLine()).toMatch(/^220 /);
      s.close();
    } finally {
      await expectStoppedCleanly(peer);
    }
  });
});

describe.skipIf(postfix.skip || (!lmtpInstalled() && !inCI()))(`${postfix.title} delivering through Dovecot LMTP`, () => {
  it('hands mail for the Dovecot user to LMTP (PF_DELIVERY=lmtp)', async () => {
    const peer = await startPeer('postfix', { env: { PF_DELIVERY: 'lmtp' } });
    try {
      expect(peer.env.PF_DELIVERY).toBe('lmtp');
      const { c } = await smtpSession(peer.ports.smtp!, peer.host);
      await c.write(`MAIL FROM:<a@example.test>\r\nRCPT TO:<${peer.user!}@example.test>\r\nDATA\r\n`);
      expect([await c.readLine(), await c.readLine(), await c.readLine()].map((x) => x.slice(0, 3))).toEqual(['250', '250', '354']);
      await c.write('Subject: lmtp chain\r\n\r\nhello\r\n.\r\n');
      expect(await c.readLine()).toMatch(/^250 /);
      c.close();
      const dir = `${peer.env.POP3_MAILDIR!}/new`;
      for (let i = 0; i < 100 && readdirSync(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const [file] = readdirSync(dir);
      expect(readFileSync(`${dir}/${file!}`, 'utf8')).toMatch(/by \S+ with LMTP\s+id [\s\S]*Subject: lmtp chain/);
    } finally {
      await expectStoppedCleanly(peer);
    }
  });
});

const sink = needs('smtp-sink');
describe.skipIf(sink.skip)(sink.title, () => {
  it('greets, answers EHLO and stops cleanly', async () => {
    const peer = await startPeer('smtp-sink');
    try {
      const { c, greeting, ehlo } = await smtpSession(peer.ports.smtp!, peer.host);
      expect(greeting).toMatch(/^220 /);
      expect(ehlo).toContain('250-PIPELINING');
      c.close();
    } finally {
      await expectStoppedCleanly(peer);
    }
  });
});

const aio = needs('aiosmtpd');
describe.skipIf(aio.skip)(aio.title, () => {
  it('records a message byte-exact with its envelope and stops cleanly', async () => {
    const peer = await startPeer('aiosmtpd');
    try {
      const { c, ehlo } = await smtpSession(peer.ports.smtp!, peer.host);
      expect(ehlo).toEqual(expect.arrayContaining(['250-STARTTLS', '250-SMTPUTF8']));
      await c.write('MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n');
      expect([await c.readLine(), await c.readLine(), await c.readLine()].map((x) => x.slice(0, 3))).toEqual(['250', '250', '354']);
      await c.write('Subject: exact\r\n\r\n..dot\r\nend\r\n.\r\n');
      expect(await c.readLine()).toMatch(/^250 /);
      c.close();
      const dir = peer.env.SMTP_MAILDIR!;
      const json = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.json'));
      for (let i = 0; i < 100 && json().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const meta = JSON.parse(readFileSync(`${dir}/${json()[0]!}`, 'utf8'));
      expect(meta).toMatchObject({ mail_from: 'a@example.test', rcpt_tos: ['b@example.test'] });
      expect(readFileSync(`${dir}/${json()[0]!.replace('.json', '.eml')}`, 'utf8')).toBe('Subject: exact\r\n\r\n.dot\r\nend\r\n');
    } finally {
      await expectStoppedCleanly(peer);
    }
  });
});
