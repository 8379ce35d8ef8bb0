import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createServerMechanism, safeEqual } from './sasl.js';

const lookup = (user: string) => (user === 'bob' ? 'pw' : undefined);
const opts = { lookup, hostname: 'mx.test' };

describe('server SASL mechanisms', () => {
  it('PLAIN: success, wrong password, unknown user, foreign authzid, malformed', async () => {
    const step = (s: string) => createServerMechanism('PLAIN', opts)!.step(Buffer.from(s));
    expect(await step('\0bob\0pw')).toEqual({ type: 'success', user: 'bob' });
    expect(await step('bob\0bob\0pw')).toEqual({ type: 'success', user: 'bob' });
    expect(await step('\0bob\0nope')).toEqual({ type: 'failure', reason: 'credentials' });
    expect(await step('\0eve\0pw')).toEqual({ type: 'failure', reason: 'credentials' });
    expect(await step('admin\0bob\0pw')).toEqual({ type: 'failure', reason: 'credentials' });
    expect(await step('bobpw')).toEqual({ type: 'failure', reason: 'malformed' });
    expect(await createServerMechanism('PLAIN', opts)!.step(null)).toEqual({ type: 'challenge', data: Buffer.alloc(0) });
  });

  it('LOGIN: username then password challenges', async () => {
    const m = createServerMechanism('login', opts)!;
    expect((await m.step(null)) as unknown).toEqual({ type: 'challenge', data: Buffer.from('Username:') });
    expect((await m.step(Buffer.from('bob'))) as unknown).toEqual({ type: 'challenge', data: Buffer.from('Password:') });
    expect(await m.step(Buffer.from('pw'))).toEqual({ type: 'success', user: 'bob' });
  });

  it('CRAM-MD5: verifies the HMAC of its own challenge', async () => {
    const m = createServerMechanism('CRAM-MD5', opts)!;
    const first = await m.step(null);
    if (first.type !== 'challenge') throw new Error('expected a challenge');
    expect(first.data.toString()).toMatch(/^<\d+\.\d+@mx\.test>$/);
    const digest = createHmac('md5', 'pw').update(first.data).digest('hex');
    expect(await m.step(Buffer.from(`bob ${digest}`))).toEqual({ type: 'success', user: 'bob' });
    const other = createServerMechanism('CRAM-MD5', opts)!;
    await other.step(null);
    expect(await other.step(Buffer.from(`bob ${digest}`))).toEqual({ type: 'failure', reason: 'credentials' });
  });

  it('SCRAM-SHA-256: malformed first and final messages fail; a wrong nonce fails', async () => {
    const m = createServerMechanism('SCRAM-SHA-256', opts)!;
    expect(await m.step(Buffer.from('garbage'))).toEqual({ type: 'failure', reason: 'malformed' });
    const n = createServerMechanism('SCRAM-SHA-256', opts)!;
    const first = await n.step(Buffer.from('n,,n=bob,r=abc'));
    expect(first.type).toBe('challenge');
    expect(await n.step(Buffer.from(`c=biws,r=wrongnonce,p=${Buffer.alloc(32).toString('base64')}`))).toEqual({ type: 'failure', reason: 'malformed' });
  });

  it('unknown mechanisms are undefined; safeEqual compares exactly', () => {
    expect(createServerMechanism('GSSAPI', opts)).toBeUndefined();
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'b')).toBe(false);
    expect(safeEqual('a', 'a\0')).toBe(false);
  });
});
