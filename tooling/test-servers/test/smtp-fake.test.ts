import { afterEach, describe, expect, it } from 'vitest';
import { act, FakeServer, type Security, TestClient } from '../src/index.js';

const servers: FakeServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(security: Security, extra: Partial<Parameters<typeof FakeServer.start>[0]> = {}) {
  const server = await FakeServer.start({ protocol: 'smtp', security, ...extra });
  servers.push(server);
  return server;
}

async function connect(server: FakeServer) {
  const c = await TestClient.connect({ port: server.port, ...(server.security === 'tls' ? { tls: { ca: server.ca } } : {}) });
  clients.push(c);
  return c;
}

describe.each(['none', 'tls', 'starttls'] as const)('SMTP happy path over %s', (security) => {
  it('greets, negotiates, takes a message and records the transcript', async () => {
    const server = await start(security);
    const c = await connect(server);
    expect(await c.readLine()).toBe('220 localhost ESMTP fake server');
    await c.write('EHLO client.test\r\n');
    const ehlo = await c.readReply();
    expect(ehlo[0]).toBe('250-localhost greets client.test');
    expect(ehlo).toContain(`250${security === 'starttls' ? '-' : ' '}AUTH PLAIN LOGIN CRAM-MD5`);
    expect(ehlo.includes('250 STARTTLS')).toBe(security === 'starttls');
    if (security === 'starttls') {
      expect(await c.command('STARTTLS')).toBe('220 2.0.0 Ready to start TLS');
      await c.startTls(server.ca);
      await c.write('EHLO client.test\r\n');
      expect((await c.readReply()).at(-1)).toBe('250 AUTH PLAIN LOGIN CRAM-MD5');
    }
    await c.write('MAIL FROM:<a@x.test> BODY=8BITMIME\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    expect([await c.readLine(), await c.readLine(), await c.readLine()]).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>']);
    await c.write('Subject: hi\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n');
    expect(await c.readLine()).toMatch(/^250 2\.0\.0 Ok: queued as FAKE1Q\d+$/);
    expect(await c.readLine()).toBe('221 2.0.0 Bye');
    await c.closed();
    const tls = security !== 'none';
    expect(server.transcript.map((e) => [e.tls, e.kind, e.line])).toEqual([
      ...(security === 'starttls' ? [[false, 'command', 'EHLO client.test'], [false, 'command', 'STARTTLS']] : []),
      [tls, 'command', 'EHLO client.test'],
      [tls, 'command', 'MAIL FROM:<a@x.test> BODY=8BITMIME'],
      [tls, 'command', 'RCPT TO:<b@y.test>'],
      [tls, 'command', 'DATA'],
      [tls, 'data', 'Subject: hi'], [tls, 'data', ''], [tls, 'data', '..dot'], [tls, 'data', 'body'], [tls, 'data', '.'],
      [tls, 'command', 'QUIT'],
    ]);
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]).toMatchObject({ from: 'a@x.test', mailParams: 'BODY=8BITMIME', to: ['b@y.test'], via: 'DATA', accepted: true, tls });
    expect(server.messages[0]!.raw.toString()).toBe('Subject: hi\r\n\r\n..dot\r\nbody\r\n');
    expect(server.messages[0]!.content.toString()).toBe('Subject: hi\r\n\r\n.dot\r\nbody\r\n');
    expect(server.sessions[0]!.received.toString()).toContain('MAIL FROM:<a@x.test> BODY=8BITMIME\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
  });
});

describe('SMTP scripting', () => {
  it('injects bytes in the same write as the STARTTLS reply and discards pipelined plaintext', async () => {
    const server = await start('starttls');
    server.once('STARTTLS', '220 go\r\n250 injected\r\n');
    const c = await connect(server);
    await c.readLine();
    await c.write('STARTTLS\r\nMAIL FROM:<evil@x.test>\r\n');
    await server.waitFor(() => c.buffered.includes('injected'));
    const replyRead = c.reads.find((r) => r.data.includes('220 go'))!;
    expect(replyRead.data.toString()).toBe('220 go\r\n250 injected\r\n');
    expect(server.transcript.map((e) => [e.kind, e.line])).toEqual([['command', 'STARTTLS'], ['discarded', 'MAIL FROM:<evil@x.test>']]);
  });

  it('splits a reply at a byte offset into separate reads', async () => {
    const server = await start('none');
    server.once('GREETING', act.split('220 localhost hello\r\n', [3, 10], 150));
    const c = await connect(server);
    expect(await c.readLine()).toBe('220 localhost hello');
    expect(c.reads.map((r) => r.data.toString())).toEqual(['220', ' localh', 'ost hello\r\n']);
  });

  it('stalls, closes, resets and drips as scripted', async () => {
    const server = await start('none');
    server.once('NOOP', act.stall());
    const c = await connect(server);
    await c.readLine();
    await c.write('NOOP\r\nNOOP\r\n');
    await expect(new Promise((r) => setTimeout(r, 200)).then(() => c.buffered.length)).resolves.toBe(0);
    expect(server.commands()).toEqual(['NOOP', 'NOOP']);

    server.once('GREETING', act.closeWith('421 4.3.2 go away\r\n'));
    const c2 = await connect(server);
    expect(await c2.readLine()).toBe('421 4.3.2 go away');
    await c2.closed();

    server.once('RSET', act.reset());
    const c3 = await connect(server);
    await c3.readLine();
    await c3.write('RSET\r\n');
    await c3.closed();
    expect(c3.buffered.length).toBe(0);

    server.once('GREETING', act.drip('220 x\r\n', 60));
    const c4 = await connect(server);
    const t0 = Date.now();
    expect(await c4.readLine()).toBe('220 x');
    // One write per byte, 60 ms apart: the 7 bytes take >= 6 gaps. (Exact read boundaries
    // are not asserted: under load the client may read two queued bytes at once.)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(c4.reads.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...c4.reads.map((r) => r.data.length))).toBeLessThanOrEqual(2);
  });

  it('handles BDAT chunks and pipelined commands exactly', async () => {
    const server = await start('none');
    const c = await connect(server);
    await c.readLine();
    await c.write('EHLO c\r\n');
    await c.readReply();
    await c.write('MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 5\r\nab\r\ncBDAT 3 LAST\r\n.\r\n');
    const replies = [await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine()];
    expect(replies.slice(0, 3)).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '250 2.0.0 Ok: 5 bytes']);
    expect(replies[3]).toMatch(/^250 2\.0\.0 Ok: queued as/);
    expect(server.messages[0]).toMatchObject({ via: 'BDAT', to: ['b@y'] });
    expect(server.messages[0]!.raw.toString()).toBe('ab\r\nc.\r\n');
  });

  it('answers with persistent handlers and unsolicited bytes', async () => {
    const server = await start('none', { hideStartTls: true });
    server.on('RCPT', (cmd) => (cmd.args.includes('bad') ? '550 5.1.1 no\r\n' : undefined));
    const c = await connect(server);
    await c.readLine();
    await c.write('MAIL FROM:<a@x>\r\nRCPT TO:<bad@y>\r\nRCPT TO:<ok@y>\r\n');
    expect([await c.readLine(), await c.readLine(), await c.readLine()]).toEqual(['250 2.1.0 Ok', '550 5.1.1 no', '250 2.1.5 Ok']);
    await server.send('421 4.4.2 timeout\r\n');
    expect(await c.readLine()).toBe('421 4.4.2 timeout');
  });

  it('records input after QUIT as discarded and does not answer it', async () => {
    const server = await start('none');
    const c = await connect(server);
    await c.readLine();
    await c.write('QUIT\r\nNOOP\r\n');
    expect(await c.readLine()).toBe('221 2.0.0 Bye');
    await c.closed();
    expect(c.buffered.length).toBe(0);
    expect(server.transcript.map((e) => [e.kind, e.line])).toEqual([['command', 'QUIT'], ['discarded', 'NOOP']]);
  });
});
