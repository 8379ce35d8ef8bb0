import diagnostics_channel from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { Connection, TRACE_CHANNEL, type TraceEvent } from '../src/index.js';
import { duplexPair } from './helpers/server.js';

describe('protocol trace', () => {
  it('a level-2 trace of AUTH PLAIN contains neither the password nor its base64, on either side', async () => {
    const password = 'correct horse battery staple';
    const ir = Buffer.from(`\0alice\0${password}`).toString('base64');
    const logged: string[] = [];
    const published: TraceEvent[] = [];
    const onEvent = (e: unknown): void => void published.push(e as TraceEvent);
    diagnostics_channel.subscribe(TRACE_CHANNEL, onEvent);
    try {
      const [a, b] = duplexPair();
      const client = Connection.fromSocket(a, { debug: 2, logger: (l) => logged.push(l), protocol: 'smtp' });
      const server = Connection.fromSocket(b, { server: true, debug: 2, logger: (l) => logged.push(l), protocol: 'smtp' });
      await client.writeCommand(`AUTH PLAIN ${ir}`, { redactAfter: 2 });
      expect(await server.readLine({ redactAfter: 2 })).toBe(`AUTH PLAIN ${ir}`);
      await server.writeCommand('334 ');
      await client.readLine();
      await client.writeCommand(ir, { redactAfter: 0 });
      expect(await server.readLine({ redactAfter: 0 })).toBe(ir);
      await server.writeCommand('235 2.7.0 ok');
      expect(await client.readLine()).toBe('235 2.7.0 ok');
      await client.write('raw body bytes\r\n');
      client.destroy();
      server.destroy();

      const everything = [...logged, ...published.map((e) => e.text)].join('\n');
      expect(everything).toContain('AUTH PLAIN ****');
      expect(everything).toContain('235 2.7.0 ok');
      for (const secret of [password, ir, ir.slice(0, 12), Buffer.from(password).toString('base64').slice(0, 12)]) {
        expect(everything).not.toContain(secret);
      }
      // Level 2: timestamps and data sizes.
      expect(logged.some((l) => /^\d{4}-\d\d-\d\dT.*\[smtp#\d+\] C: <16 bytes>$/.test(l))).toBe(true);
      expect(published.every((e) => typeof e.id === 'number' && e.protocol === 'smtp')).toBe(true);
    } finally {
      diagnostics_channel.unsubscribe(TRACE_CHANNEL, onEvent);
    }
  });

  it('escapes terminal control sequences from the server in debug output', async () => {
    const logged: string[] = [];
    const [a, b] = duplexPair();
    const client = Connection.fromSocket(a, { debug: 1, logger: (l) => logged.push(l) });
    b.write('220 \u001b]0;pwned\u0007\u001b[2J hi\r\n');
    await client.readLine();
    client.destroy();
    // eslint-disable-next-line no-control-regex
    expect(logged.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(logged[0]).toContain('\\x1b]0;pwned\\x07');
  });
});
