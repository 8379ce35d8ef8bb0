// Against real servers (Dovecot POP3/POP3S, aiosmtpd SMTP/SMTPS) from tooling/peers. Outside
// CI a missing peer skips these tests with the reason in the suite name.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCI, peerMissing, startPeer, stopPeer, type PeerInfo } from '@mail/peers';
import { connect } from '../src/index.js';

for (const name of ['dovecot', 'aiosmtpd'] as const) {
  const why = peerMissing(name);
  describe.skipIf(why !== undefined && !inCI())(`real peer: ${name}${why ? ` (SKIPPED: ${why})` : ''}`, () => {
    let peer: PeerInfo;
    let ca: string;
    const pop = name === 'dovecot';
    const plainPort = (): number => (pop ? peer.ports.pop3 : peer.ports.smtp)!;
    const tlsPort = (): number => (pop ? peer.ports.pop3s : peer.ports.smtps)!;
    const ok = pop ? /^\+OK/ : /^220 /;
    beforeAll(async () => {
      peer = await startPeer(name);
      ca = readFileSync(peer.ca!, 'utf8');
    }, 60_000);
    afterAll(async () => {
      if (peer) await stopPeer(peer);
    }, 60_000);

    it('implicit TLS verifies the certificate and reads the greeting', async () => {
      const conn = await connect({ host: '127.0.0.1', port: tlsPort(), security: 'tls', tls: { ca }, timeout: 10_000 });
      expect(conn.secure).toBe(true);
      expect(await conn.readLine({ phase: 'greeting' })).toMatch(ok);
      conn.destroy();
    });

    it('STARTTLS/STLS upgrades and the session continues over TLS', async () => {
      const conn = await connect({ host: '127.0.0.1', port: plainPort(), security: 'starttls', tls: { ca }, timeout: 10_000 });
      expect(await conn.readLine({ phase: 'greeting' })).toMatch(ok);
      if (pop) {
        await conn.writeCommand('STLS');
        expect(await conn.readLine()).toMatch(/^\+OK/);
      } else {
        await conn.writeCommand('EHLO client.test');
        for (let line = await conn.readLine(); !line.startsWith('250 '); line = await conn.readLine()) expect(line).toMatch(/^250-/);
        await conn.writeCommand('STARTTLS');
        expect(await conn.readLine()).toMatch(/^220 /);
      }
      await conn.upgradeToTLS();
      expect(conn.secure).toBe(true);
      expect(conn.channelBinding('tls-server-end-point')?.length).toBe(32);
      await conn.writeCommand(pop ? 'CAPA' : 'EHLO client.test');
      if (pop) {
        expect(await conn.readLine()).toMatch(/^\+OK/);
        expect((await conn.readDotLines()).length).toBeGreaterThan(0);
      } else {
        expect(await conn.readLine()).toMatch(/^250[- ]/);
      }
      await conn.writeCommand('QUIT');
      await conn.readLine();
      await conn.close();
    });

    it("security 'tls' against the plaintext port explains the mismatch", async () => {
      const err = await connect({ host: '127.0.0.1', port: plainPort(), security: 'tls', tls: { ca }, timeout: 10_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'MAIL_TLS_MODE_MISMATCH' });
      expect((err as Error).message).toContain("security 'starttls'");
    });

    it('the peer certificate is refused without its CA', async () => {
      const err = await connect({ host: '127.0.0.1', port: tlsPort(), security: 'tls', timeout: 10_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'MAIL_TLS' });
    });
  });
}
