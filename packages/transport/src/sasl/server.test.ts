import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMechanism } from './registry.js';
import { saslprep } from './saslprep.js';
import { createServerMechanism } from './server.js';
import type { SaslServerMechanism, SaslServerResult } from './server-common.js';
import type { SaslMechanism } from './types.js';

type Users = Record<string, string>;
const lookup = (users: Users) => (u: string) => (Object.hasOwn(users, u) ? { password: users[u] as string } : undefined);

/**
 * Runs a client mechanism against a server mechanism, as a protocol would: initial response
 * when the client has one, then challenge/response, bounded. Returns the server's verdict
 * and whether the client accepted the outcome.
 */
function run(client: SaslMechanism, server: SaslServerMechanism, useInitialResponse = true): { result: SaslServerResult; clientError?: unknown } {
  let result = server.start(useInitialResponse && client.clientFirst ? client.start() : null);
  for (let i = 0; i < 10 && result.challenge !== undefined; i++) {
    let response: Buffer;
    try {
      response = client.step(result.challenge);
    } catch (e) {
      return { result, clientError: e };
    }
    result = server.step(response);
  }
  if (result.done !== undefined) {
    try {
      client.finish();
    } catch (e) {
      return { result, clientError: e };
    }
  }
  return { result };
}

const users: Users = { tim: 'tanstaaftanstaaf', 'jörg': 'pässword', 'IX': 'I\u00ADX' };

describe('server mechanisms against our clients', () => {
  for (const name of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256']) {
    for (const ir of [true, false]) {
      it(`${name} (${ir ? 'with' : 'without'} initial response): right password succeeds, wrong fails`, () => {
        const ok = run(createMechanism(name, { username: 'tim', password: 'tanstaaftanstaaf' }, { secure: true }), createServerMechanism(name, { lookup: lookup(users) }), ir);
        expect(ok.clientError).toBeUndefined();
        expect(ok.result).toEqual({ done: { username: 'tim' } });
        const bad = run(createMechanism(name, { username: 'tim', password: 'wrong' }, { secure: true }), createServerMechanism(name, { lookup: lookup(users) }), ir);
        expect(bad.result).toEqual({ error: 'authentication failed' });
        const unknown = run(createMechanism(name, { username: 'nobody', password: 'x' }, { secure: true }), createServerMechanism(name, { lookup: lookup(users) }), ir);
        expect(unknown.result).toEqual({ error: 'authentication failed' });
      });
    }
  }

  it('PLAIN and SCRAM compare SASLprepped passwords (I<SOFT HYPHEN>X = IX)', () => {
    for (const name of ['PLAIN', 'SCRAM-SHA-256']) {
      const r = run(createMechanism(name, { username: 'IX', password: 'IX' }, { secure: true }), createServerMechanism(name, { lookup: lookup(users) }));
      expect(r.result).toEqual({ done: { username: 'IX' } });
    }
  });

  it('SCRAM client and server interoperate for random ASCII and non-ASCII passwords', () => {
    const password = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }));
    const username = fc.oneof(fc.constantFrom('user', 'a=b,c', 'jörg', 'Ω'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(username, password, fc.constantFrom('SCRAM-SHA-1', 'SCRAM-SHA-256'), (user, pass, name) => {
        let client: SaslMechanism;
        try {
          client = createMechanism(name, { username: user, password: pass }, { secure: false });
        } catch {
          // SASLprep refused the generated user name or password; nothing to exchange.
          fc.pre(false);
          return;
        }
        // The server finds the user only under the SASLprepped name, decoded from the saslname.
        const server = createServerMechanism(name, { lookup: (u) => (u === saslprep(user) ? { password: pass } : undefined) });
        const r = run(client, server);
        expect(r.clientError).toBeUndefined();
        expect(r.result.done).toBeDefined();
        expect(client.done).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('the SCRAM client rejects a server that does not know the password', () => {
    // The server stores another password: it fails the proof, and a forged v= fails at the client.
    const client = createMechanism('SCRAM-SHA-256', { username: 'tim', password: 'right' }, { secure: false });
    const server = createServerMechanism('SCRAM-SHA-256', { lookup: () => ({ password: 'other' }) });
    const first = server.start(client.start());
    client.step(first.challenge as Buffer);
    expect(() => client.step(Buffer.from('v=' + Buffer.alloc(32).toString('base64')))).toThrow(/signature is wrong/);
  });

  it('the SCRAM server refuses channel binding requests, replayed nonces and changed gs2 headers', () => {
    const server = createServerMechanism('SCRAM-SHA-256', { lookup: lookup(users) });
    expect(server.start(Buffer.from('p=tls-exporter,,n=tim,r=abc'))).toEqual({ error: 'channel binding is not supported by this server' });

    const s2 = createServerMechanism('SCRAM-SHA-256', { lookup: lookup(users) });
    const sf = s2.start(Buffer.from('n,,n=tim,r=abc')).challenge?.toString() ?? '';
    expect(sf).toMatch(/^r=abc[A-Za-z0-9+/]{24},s=[A-Za-z0-9+/=]+,i=4096$/);
    const nonce = /^r=([^,]+)/.exec(sf)?.[1] ?? '';
    // c=eSws is "y,,", but the client-first said "n,,": a downgrade or tampering.
    expect(s2.step(Buffer.from(`c=eSws,r=${nonce},p=${Buffer.alloc(32).toString('base64')}`))).toEqual({ error: 'authentication failed' });

    const s3 = createServerMechanism('SCRAM-SHA-256', { lookup: lookup(users) });
    s3.start(Buffer.from('n,,n=tim,r=abc'));
    expect(s3.step(Buffer.from(`c=biws,r=abcWRONG,p=${Buffer.alloc(32).toString('base64')}`))).toEqual({ error: 'malformed SASL response' });
    expect(s3.step(Buffer.alloc(0))).toEqual({ error: 'the SASL exchange is not in progress' });
  });

  it('uses the injected random source and iteration count', () => {
    const server = createServerMechanism('SCRAM-SHA-1', { lookup: lookup(users), random: (n) => Buffer.alloc(n, 1), iterations: 5000 });
    const sf = server.start(Buffer.from('n,,n=tim,r=abc')).challenge?.toString();
    expect(sf).toBe(`r=abc${Buffer.alloc(18, 1).toString('base64')},s=${Buffer.alloc(16, 1).toString('base64')},i=5000`);
  });

  it('PLAIN server: malformed messages and foreign authzids fail', () => {
    const mk = () => createServerMechanism('PLAIN', { lookup: lookup(users) });
    expect(mk().start(Buffer.from('tim\0tanstaaftanstaaf'))).toEqual({ error: 'malformed SASL response' });
    expect(mk().start(Buffer.from('\0tim\0'))).toEqual({ error: 'malformed SASL response' });
    expect(mk().start(Buffer.from([0, 0xff, 0, 0x41]))).toEqual({ error: 'malformed SASL response' });
    expect(mk().start(Buffer.from('admin\0tim\0tanstaaftanstaaf'))).toEqual({ error: 'authorization identity not permitted' });
    expect(mk().start(Buffer.from('tim\0tim\0tanstaaftanstaaf'))).toEqual({ done: { username: 'tim' } });
    const once = mk();
    once.start(Buffer.from('\0tim\0tanstaaftanstaaf'));
    expect(once.step(Buffer.from('\0tim\0tanstaaftanstaaf')).error).toBeDefined();
  });

  it('CRAM-MD5 server: challenge format, no initial response, malformed digest', () => {
    const server = createServerMechanism('CRAM-MD5', { lookup: lookup(users), hostname: 'mail.example', random: (n) => Buffer.alloc(n, 0xab) });
    expect(server.start(null).challenge?.toString()).toMatch(/^<abababababababab\.\d+@mail\.example>$/);
    expect(server.step(Buffer.from('tim nothex'))).toEqual({ error: 'malformed SASL response' });
    expect(createServerMechanism('CRAM-MD5', { lookup: lookup(users) }).start(Buffer.from('x')).error).toMatch(/no initial response/);
  });

  it('LOGIN server prompts Username: and Password:', () => {
    const server = createServerMechanism('LOGIN', { lookup: lookup(users) });
    expect(server.start(null).challenge?.toString()).toBe('Username:');
    expect(server.step(Buffer.from('jörg')).challenge?.toString()).toBe('Password:');
    expect(server.step(Buffer.from('pässword'))).toEqual({ done: { username: 'jörg' } });
    expect(server.step(Buffer.from('again'))).toEqual({ error: 'the SASL exchange is already finished' });
  });

  it('unknown server mechanisms throw MAIL_SASL', () => {
    expect(() => createServerMechanism('SCRAM-SHA-256-PLUS', { lookup: lookup(users) })).toThrow(expect.objectContaining({ code: 'MAIL_SASL' }));
  });
});
