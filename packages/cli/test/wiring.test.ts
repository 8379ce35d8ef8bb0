// Proves the test wiring of this package for real: the fake SMTP and POP3 servers from
// @mail/test-servers over plain, implicit TLS and STARTTLS/STLS, asserting the exact
// transcript a raw client produced (the CLI's own commands are tested elsewhere).
import { FakeServer, type Security, TestClient } from '@mail/test-servers';
import { describe, expect, it } from 'vitest';

async function connect(server: FakeServer): Promise<TestClient> {
  const c = await TestClient.connect({ port: server.port, ...(server.security === 'tls' ? { tls: { ca: server.ca } } : {}) });
  await c.readLine();
  return c;
}

describe.each(['none', 'tls', 'starttls'] as const satisfies readonly Security[])('fake servers over %s', (security) => {
  const tls = security !== 'none';

  it('SMTP: transcript of a raw session', async () => {
    await using server = await FakeServer.start({ protocol: 'smtp', security });
    const c = await connect(server);
    if (security === 'starttls') {
      expect(await c.command('STARTTLS')).toMatch(/^220 /);
      await c.startTls(server.ca);
    }
    expect(await c.command('NOOP')).toBe('250 2.0.0 Ok');
    expect(await c.command('QUIT')).toBe('221 2.0.0 Bye');
    await c.closed();
    expect(server.transcript.map((e) => [e.tls, e.line])).toEqual([
      ...(security === 'starttls' ? [[false, 'STARTTLS']] : []), [tls, 'NOOP'], [tls, 'QUIT'],
    ]);
  });

  it('POP3: transcript of a raw session', async () => {
    await using server = await FakeServer.start({ protocol: 'pop3', security });
    const c = await connect(server);
    if (security === 'starttls') {
      expect(await c.command('STLS')).toMatch(/^\+OK/);
      await c.startTls(server.ca);
    }
    expect(await c.command('NOOP')).toBe('-ERR Unknown command.');
    expect(await c.command('QUIT')).toBe('+OK Logging out.');
    await c.closed();
    expect(server.transcript.map((e) => [e.tls, e.line])).toEqual([
      ...(security === 'starttls' ? [[false, 'STLS']] : []), [tls, 'NOOP'], [tls, 'QUIT'],
    ]);
  });
});
