// SMTPPool against the fake server: bounded connections and messages per connection, idle
// timeout, reconnect after 421 with retry, no retry when the outcome is unknown, rate limit.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { act } from '@mail/test-servers';
import { SMTPPool, type SMTPPoolOptions } from '../src/index.js';
import { failure, fake, noChunking } from './helpers.js';

type Server = Awaited<ReturnType<typeof fake>>;

function pool(server: Server, options: Partial<SMTPPoolOptions> = {}): SMTPPool {
  return new SMTPPool({ host: server.host, port: server.port, security: 'none', localName: 'pool.test', timeout: 5000, retry: { minDelay: 10 }, ...options });
}

const mail = (i: number): { from: string; to: string; message: string } => ({ from: 'a@x.test', to: `r${i}@y.test`, message: `Subject: ${i}\r\n\r\n${i}\r\n` });

describe('SMTPPool', () => {
  it('spreads messages over at most maxConnections sessions and replaces one after maxMessages', async () => {
    const server = await fake({ extensions: noChunking });
    server.on('DATA_END', () => [act.delay(20), act.write('250 2.0.0 Ok\r\n')]);
    await using p = pool(server, { maxConnections: 3, maxMessages: 4 });
    let maxBusy = 0;
    const sampler = setInterval(() => { maxBusy = Math.max(maxBusy, p.stats.busy); }, 1);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => p.sendMail(mail(i))));
    clearInterval(sampler);
    expect(results.every((r) => r.response.code === 250)).toBe(true);
    expect(server.messages).toHaveLength(20);
    const perConnection = new Map<number, number>();
    for (const m of server.messages) perConnection.set(m.connection, (perConnection.get(m.connection) ?? 0) + 1);
    expect(Math.max(...perConnection.values())).toBeLessThanOrEqual(4);
    expect(server.connections).toBeGreaterThanOrEqual(5);
    expect(maxBusy).toBe(3);
    expect(p.stats.busy).toBe(0);
  });

  it('closes idle sessions with QUIT after idleTimeout', async () => {
    const server = await fake();
    await using p = pool(server, { idleTimeout: 50 });
    await p.sendMail(mail(1));
    await server.waitFor(() => server.commands().includes('QUIT'), 2000);
    expect(p.stats.idle).toBe(0);
    await p.sendMail(mail(2));
    expect(server.connections).toBe(2);
  });

  it('reconnects after a 421 and retries the message', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('MAIL', act.closeWith('421 4.3.2 Shutting down\r\n'));
    await using p = pool(server);
    const result = await p.sendMail(mail(1));
    expect(result.response.code).toBe(250);
    expect(server.connections).toBe(2);
    expect(server.messages).toHaveLength(1);
  });

  it('retries a 4xx with backoff up to the limit, never a 5xx', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('DATA_END', '451 4.3.0 try again\r\n', '451 4.3.0 try again\r\n');
    await using p = pool(server, { retry: { attempts: 3, minDelay: 20 } });
    const started = performance.now();
    expect((await p.sendMail(mail(1))).response.code).toBe(250);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55); // 20 + 40 ms of backoff
    expect(server.messages.map((m) => m.accepted)).toEqual([false, false, true]);
    server.once('DATA_END', '554 5.6.0 rejected\r\n');
    expect((await failure(p.sendMail(mail(2)))).code).toBe('SMTP_REPLY');
    expect(server.messages).toHaveLength(4);
  });

  it('never retries a message whose outcome is unknown', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('DATA_END', act.reset());
    await using p = pool(server, { retry: { attempts: 5, minDelay: 1 } });
    const error = await failure(p.sendMail(mail(1)));
    expect(error.code).toBe('SMTP_OUTCOME_UNKNOWN');
    expect(server.commands().filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
  });

  it('does not retry a streamed message (it cannot be read twice)', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('DATA_END', '451 4.3.0 later\r\n');
    await using p = pool(server, { retry: { attempts: 3, minDelay: 1 } });
    const error = await failure(p.sendMail({ from: 'a@x.test', to: 'b@y.test', message: Readable.from(['x\r\n']) }));
    expect(error.transient).toBe(true);
    expect(server.messages).toHaveLength(1);
  });

  it('rate-limits with a token bucket', async () => {
    const server = await fake();
    await using p = pool(server, { rateLimit: { messages: 2, interval: 200 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 6 }, (_, i) => p.sendMail(mail(i))));
    // Two at once, then one every 100 ms: the sixth starts after ~400 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    expect(server.messages).toHaveLength(6);
  });

  it('a failed connect does not leave waiting sends hanging', async () => {
    const server = await fake();
    server.once('GREETING', act.closeWith('554 5.3.2 not now\r\n'));
    await using p = pool(server, { maxConnections: 1, retry: false });
    const [first, second] = await Promise.allSettled([p.sendMail(mail(1)), p.sendMail(mail(2))]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
    expect(server.messages).toHaveLength(1);
  });

  it('a send waiting for a connection can be aborted', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('DATA_END', [act.delay(100), act.write('250 2.0.0 Ok\r\n')]);
    await using p = pool(server, { maxConnections: 1 });
    const first = p.sendMail(mail(1));
    const controller = new AbortController();
    const second = p.sendMail({ ...mail(2), signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await failure(second)).code).toBe('MAIL_ABORTED');
    expect((await first).response.code).toBe(250);
    expect(server.messages).toHaveLength(1);
  });

  it('rejects sends after close', async () => {
    const server = await fake();
    const p = pool(server);
    await p.sendMail(mail(1));
    await p.close();
    expect((await failure(p.sendMail(mail(2)))).code).toBe('MAIL_CONNECTION_CLOSED');
    await server.waitFor(() => server.commands().includes('QUIT'));
  });
});
