// Proves the test wiring of this package for real: the fake SMTP server from
// @mail/test-servers over plain, implicit TLS and STARTTLS (asserting the exact transcript
// and the DATA bytes), and real Postfix / aiosmtpd / smtp-sink started by the vitest
// globalSetup (test/peers.global-setup.ts).
import { existsSync, readFileSync } from 'node:fs';
import { type PeerInfo, type PeerName, inCI, peerMissing, peerProcesses, processAlive } from '@mail/peers';
import { FakeServer, type Security, TestClient } from '@mail/test-servers';
import { describe, expect, inject, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import setupPeers from './peers.global-setup.js';

describe.each(['none', 'tls', 'starttls'] as const satisfies readonly Security[])('fake SMTP server over %s', (security) => {
  it('records exactly what a raw client sent, marked plain or TLS', async () => {
    await using server = await FakeServer.start({ protocol: 'smtp', security });
    const c = await TestClient.connect({ port: server.port, ...(security === 'tls' ? { tls: { ca: server.ca } } : {}) });
    try {
      expect(await c.readLine()).toMatch(/^220 /);
      if (security === 'starttls') {
        await c.write('EHLO wiring.test\r\n');
        expect(await c.readReply()).toContain('250 STARTTLS');
        expect(await c.command('STARTTLS')).toMatch(/^220 /);
        await c.startTls(server.ca);
      }
      await c.write('EHLO wiring.test\r\n');
      expect((await c.readReply()).at(-1)).toBe('250 AUTH PLAIN LOGIN CRAM-MD5');
      // Pipelined envelope (RFC 2920), then the body with a line that needs dot-stuffing.
      await c.write('MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n');
      expect((await Promise.all([c.readLine(), c.readLine(), c.readLine()])).map((l) => l.slice(0, 3))).toEqual(['250', '250', '354']);
      await c.write('Subject: w\r\n\r\n..x\r\n.\r\nQUIT\r\n');
      expect(await c.readLine()).toMatch(/^250 /);
      expect(await c.readLine()).toMatch(/^221 /);
      await c.closed();
    } finally {
      c.close();
    }
    const tls = security !== 'none';
    expect(server.transcript.map(({ tls: t, kind, line }) => [t, kind, line])).toEqual([
      ...(security === 'starttls' ? [[false, 'command', 'EHLO wiring.test'], [false, 'command', 'STARTTLS']] : []),
      [tls, 'command', 'EHLO wiring.test'],
      [tls, 'command', 'MAIL FROM:<a@example.test>'],
      [tls, 'command', 'RCPT TO:<b@example.test>'],
      [tls, 'command', 'DATA'],
      [tls, 'data', 'Subject: w'], [tls, 'data', ''], [tls, 'data', '..x'], [tls, 'data', '.'],
      [tls, 'command', 'QUIT'],
    ]);
    expect(server.messages.map((m) => [m.from, m.to, m.content.toString(), m.tls])).toEqual([['a@example.test', ['b@example.test'], 'Subject: w\r\n\r\n.x\r\n', tls]]);
  });
});

async function ehlo(peer: PeerInfo): Promise<string[]> {
  const c = await TestClient.connect({ port: peer.ports.smtp!, host: peer.host });
  try {
    expect(await c.readLine()).toMatch(/^220 /);
    await c.write('EHLO wiring.test\r\n');
    const reply = await c.readReply();
    await c.write('QUIT\r\n');
    expect(await c.readLine()).toMatch(/^221/);
    return reply.map((l) => l.slice(4));
  } finally {
    c.close();
  }
}

function skipUnless(name: PeerName): [boolean, string] {
  const why = peerMissing(name);
  return [why !== undefined && !inCI(), `real ${name}${why ? ` (SKIPPED: ${why})` : ''}`];
}

describe.skipIf(skipUnless('postfix')[0])(skipUnless('postfix')[1], () => {
  it('started by the globalSetup answers EHLO with STARTTLS, CHUNKING, DSN, SMTPUTF8 and SMTPS', async () => {
    const postfix = inject('peers').running.postfix!;
    expect(await ehlo(postfix)).toEqual(expect.arrayContaining(['PIPELINING', 'STARTTLS', 'CHUNKING', 'DSN', 'SMTPUTF8', '8BITMIME', 'ENHANCEDSTATUSCODES']));
    const s = await TestClient.connect({ port: postfix.ports.smtps!, host: postfix.host, tls: { ca: readFileSync(postfix.ca!, 'utf8') } });
    expect(await s.readLine()).toMatch(/^220 /);
    s.close();
  });

  it('the globalSetup module starts and stops Postfix (+ its Dovecot) leaving no process or directory', async () => {
    let provided: Record<string, unknown> = {};
    const project = { provide: (key: string, value: unknown) => { provided = { ...provided, [key]: value }; } };
    const teardown = await setupPeers(project as unknown as TestProject);
    const running = (provided.peers as { running: Partial<Record<PeerName, PeerInfo>> }).running;
    const peers = Object.values(running);
    expect(Object.keys(running).sort()).toEqual(['aiosmtpd', 'postfix', 'smtp-sink'].filter((n) => !skipUnless(n as PeerName)[0]));
    expect(running.postfix!.pids).toHaveLength(2); // Postfix master and Dovecot
    for (const peer of peers) {
      expect(existsSync(peer.dir)).toBe(true);
      expect(peer.pids.every(processAlive)).toBe(true);
      expect((await ehlo(peer)).length).toBeGreaterThan(2);
    }
    await teardown();
    for (const peer of peers) {
      expect(existsSync(peer.dir)).toBe(false);
      expect(peer.pids.some(processAlive)).toBe(false);
      expect(peerProcesses(peer)).toEqual([]);
    }
  });
});

describe.skipIf(skipUnless('aiosmtpd')[0])(skipUnless('aiosmtpd')[1], () => {
  it('started by the globalSetup answers EHLO with STARTTLS and AUTH', async () => {
    expect(await ehlo(inject('peers').running.aiosmtpd!)).toEqual(expect.arrayContaining(['STARTTLS', 'AUTH CRAM-MD5 LOGIN PLAIN', 'SMTPUTF8']));
  });
});

describe.skipIf(skipUnless('smtp-sink')[0])(skipUnless('smtp-sink')[1], () => {
  it('started by the globalSetup answers EHLO', async () => {
    expect(await ehlo(inject('peers').running['smtp-sink']!)).toContain('PIPELINING');
  });
});
