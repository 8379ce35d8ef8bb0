// Proves the test wiring of this package for real: the fake POP3 server from
// @mail/test-servers over plain, implicit TLS and STLS (asserting the exact transcript), and
// a real Dovecot started by the vitest globalSetup (test/peers.global-setup.ts).
import { existsSync, readFileSync } from 'node:fs';
import { MailError } from '@mail/transport';
import { type PeerInfo, inCI, peerMissing, peerProcesses, processAlive } from '@mail/peers';
import { FakeServer, type Security, TestClient } from '@mail/test-servers';
import { describe, expect, inject, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import setupPeers from './peers.global-setup.js';

const MAIL = 'Subject: x\r\n\r\nhi\r\n';

it('resolves @mail/transport from its live source', () => {
  expect(MailError.is(new MailError('MAIL_PROTOCOL', 'x'))).toBe(true);
});

describe.each(['none', 'tls', 'starttls'] as const satisfies readonly Security[])('fake POP3 server over %s', (security) => {
  it('records exactly what a raw client sent, marked plain or TLS', async () => {
    await using server = await FakeServer.start({ protocol: 'pop3', security, mailbox: [MAIL] });
    const c = await TestClient.connect({ port: server.port, ...(security === 'tls' ? { tls: { ca: server.ca } } : {}) });
    try {
      expect(await c.readLine()).toMatch(/^\+OK .*<.+@localhost>$/);
      if (security === 'starttls') {
        expect(await c.command('STLS')).toMatch(/^\+OK/);
        await c.startTls(server.ca);
      }
      await c.write('USER u\r\nPASS p\r\nSTAT\r\nQUIT\r\n');
      expect([await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine()])
        .toEqual(['+OK', '+OK Logged in.', `+OK 1 ${MAIL.length}`, '+OK Logging out.']);
      await c.closed();
    } finally {
      c.close();
    }
    const tls = security !== 'none';
    expect(server.transcript.map(({ tls: t, line }) => ({ tls: t, line }))).toEqual([
      ...(security === 'starttls' ? [{ tls: false, line: 'STLS' }] : []),
      { tls, line: 'USER u' }, { tls, line: 'PASS p' }, { tls, line: 'STAT' }, { tls, line: 'QUIT' },
    ]);
    expect(server.sessions[0]!.received.toString()).toBe(`${security === 'starttls' ? 'STLS\r\n' : ''}USER u\r\nPASS p\r\nSTAT\r\nQUIT\r\n`);
  });
});

const missing = peerMissing('dovecot');
describe.skipIf(missing !== undefined && !inCI())(`real Dovecot${missing ? ` (SKIPPED: ${missing})` : ''}`, () => {
  async function greetAndCapa(peer: PeerInfo): Promise<string[]> {
    const c = await TestClient.connect({ port: peer.ports.pop3!, host: peer.host });
    try {
      expect(await c.readLine()).toMatch(/^\+OK /);
      await c.write('CAPA\r\n');
      return await c.readMultiline();
    } finally {
      c.close();
    }
  }

  it('started by the globalSetup answers POP3, STLS and POP3S', async () => {
    const dovecot = inject('peers').running.dovecot!;
    expect(dovecot).toBeDefined();
    expect(await greetAndCapa(dovecot)).toEqual(expect.arrayContaining(['STLS', 'USER', 'PIPELINING']));
    const s = await TestClient.connect({ port: dovecot.ports.pop3s!, host: dovecot.host, tls: { ca: readFileSync(dovecot.ca!, 'utf8') } });
    expect(await s.readLine()).toMatch(/^\+OK /);
    s.close();
  });

  it('the globalSetup module starts and stops Dovecot leaving no process or directory', async () => {
    let provided: Record<string, unknown> = {};
    const project = { provide: (key: string, value: unknown) => { provided = { ...provided, [key]: value }; } };
    const teardown = await setupPeers(project as unknown as TestProject);
    const peer = (provided.peers as { running: { dovecot: PeerInfo } }).running.dovecot;
    expect(existsSync(peer.dir)).toBe(true);
    expect(peer.pids.every(processAlive)).toBe(true);
    expect(await greetAndCapa(peer)).toContain('UIDL');
    await teardown();
    expect(existsSync(peer.dir)).toBe(false);
    expect(peer.pids.some(processAlive)).toBe(false);
    expect(peerProcesses(peer)).toEqual([]);
  });
});
