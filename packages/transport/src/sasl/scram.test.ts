import { describe, expect, it } from 'vitest';
import { MailError } from '../errors.js';
import { createMechanism } from './registry.js';
import type { SaslContext } from './types.js';

const plain: SaslContext = { secure: false };
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('SCRAM-SHA-1 (RFC 5802 §5 test vector)', () => {
  const serverFirst = 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096';
  const make = () =>
    createMechanism('SCRAM-SHA-1', { username: 'user', password: 'pencil' }, plain, { nonce: () => 'fyko+d2lbbFgONRv9qkxdawL' });

  it('produces the RFC client messages and accepts the RFC server signature', () => {
    const mech = make();
    expect(mech.clientFirst).toBe(true);
    expect(mech.start()?.toString()).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    expect(mech.step(b(serverFirst)).toString()).toBe(
      'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    );
    expect(mech.done).toBe(false);
    expect(mech.step(b('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=')).length).toBe(0);
    expect(mech.done).toBe(true);
    expect(() => mech.finish()).not.toThrow();
  });

  it('accepts the server-final message as additional data with success', () => {
    const mech = make();
    mech.start();
    mech.step(b(serverFirst));
    expect(() => mech.finish(b('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='))).not.toThrow();
    expect(mech.done).toBe(true);
  });

  it('rejects a wrong server signature with MAIL_SASL', () => {
    const mech = make();
    mech.start();
    mech.step(b(serverFirst));
    // Same length, last byte changed.
    expect(() => mech.step(b('v=rmF9pqV8S7suAoZWja4dJRkFsKA='))).toThrow(expect.objectContaining({ code: 'MAIL_SASL' }));
    expect(mech.done).toBe(false);
  });

  it('refuses "success" from a server that never sent its signature', () => {
    const mech = make();
    mech.start();
    mech.step(b(serverFirst));
    expect(() => mech.finish()).toThrow(/without proving/);
  });
});

describe('SCRAM-SHA-256 (RFC 7677 §3 test vector)', () => {
  it('produces the RFC client messages and accepts the RFC server signature', () => {
    const mech = createMechanism('SCRAM-SHA-256', { username: 'user', password: 'pencil' }, plain, {
      nonce: () => 'rOprNGfwEbeRWgbNEkqO',
    });
    expect(mech.start()?.toString()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    expect(mech.step(b(serverFirst)).toString()).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(mech.step(b('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).length).toBe(0);
    expect(mech.done).toBe(true);
  });
});

describe('SCRAM message validation', () => {
  const start = (opts = {}) => {
    const mech = createMechanism('SCRAM-SHA-256', { username: 'user', password: 'pencil' }, plain, { nonce: () => 'abc', ...opts });
    mech.start();
    return mech;
  };
  const bad: Array<[string, string | RegExp]> = [
    ['r=xyz1,s=QSXCR+Q6sek8bf92,i=4096', /nonce/],
    ['r=abc,s=QSXCR+Q6sek8bf92,i=4096', /nonce/],
    ['r=abcd,s=not base64!,i=4096', /salt/],
    ['r=abcd,s=,i=4096', /empty salt/],
    ['r=abcd,s=QSXCR+Q6sek8bf92,i=0', /iteration/],
    ['r=abcd,s=QSXCR+Q6sek8bf92,i=100', /iterations/],
    ['r=abcd,s=QSXCR+Q6sek8bf92,i=99999999', /iterations/],
    ['m=ext,r=abcd,s=QSXCR+Q6sek8bf92,i=4096', /extension/],
    ['e=unknown-user', /unknown-user/],
    ['garbage', /malformed/],
    ['r=abcd,s=QSXCR+Q6sek8bf92', /malformed/],
  ];
  it.each(bad)('rejects server-first %j', (message, pattern) => {
    const mech = start();
    let error: unknown;
    try {
      mech.step(b(message));
    } catch (e) {
      error = e;
    }
    expect(MailError.hasCode(error, 'MAIL_SASL')).toBe(true);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('pencil');
  });

  it('accepts fewer iterations when the caller lowers minIterations', () => {
    const mech = start({ minIterations: 1 });
    expect(mech.step(b('r=abcd,s=QSXCR+Q6sek8bf92,i=1')).toString()).toMatch(/^c=biws,r=abcd,p=/);
  });

  it('reports a server error in the final message', () => {
    const mech = start();
    mech.step(b('r=abcd,s=QSXCR+Q6sek8bf92,i=4096'));
    expect(() => mech.step(b('e=invalid-proof'))).toThrow(/invalid-proof/);
  });

  it('escapes = and , in user names and SASLpreps them', () => {
    const mech = createMechanism('SCRAM-SHA-1', { username: 'a=b,c\u00AD', password: 'x' }, plain, { nonce: () => 'n0nce' });
    expect(mech.start()?.toString()).toBe('n,,n=a=3Db=2Cc,r=n0nce');
  });

  it('puts the authzid in the gs2 header', () => {
    const mech = createMechanism('SCRAM-SHA-1', { username: 'u', password: 'x', authzid: 'admin' }, plain, { nonce: () => 'n' });
    expect(mech.start()?.toString()).toBe('n,a=admin,n=u,r=n');
  });

  it('refuses an invalid injected nonce and a password prohibited by SASLprep, without echoing it', () => {
    expect(() => createMechanism('SCRAM-SHA-1', { username: 'u', password: 'x' }, plain, { nonce: () => 'a,b' })).toThrow(
      expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' }),
    );
    let error: unknown;
    try {
      createMechanism('SCRAM-SHA-1', { username: 'u', password: 'secret\u0007' }, plain);
    } catch (e) {
      error = e;
    }
    expect(MailError.hasCode(error, 'MAIL_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/password/);
    expect((error as Error).message).not.toContain('secret');
  });

  it('caps the number of challenge rounds', () => {
    const mech = createMechanism('SCRAM-SHA-1', { username: 'u', password: 'x' }, plain, { nonce: () => 'n', maxRounds: 2 });
    mech.start();
    mech.step(b('r=nn,s=QSXCR+Q6sek8bf92,i=4096'));
    expect(() => mech.step(b('v=AAAA'))).toThrow(/signature/);
    // The third challenge hits the cap before any parsing.
    expect(() => mech.step(b('v=AAAA'))).toThrow(/more than 2 challenges/);
  });

  it('generates distinct random nonces by default', () => {
    const a = createMechanism('SCRAM-SHA-256', { username: 'u', password: 'x' }, plain).start()?.toString();
    const c = createMechanism('SCRAM-SHA-256', { username: 'u', password: 'x' }, plain).start()?.toString();
    expect(a).toMatch(/^n,,n=u,r=[A-Za-z0-9+/]{24}$/);
    expect(a).not.toBe(c);
  });
});

describe('SCRAM channel binding', () => {
  const exporter = Buffer.alloc(32, 7);
  const unique = Buffer.alloc(12, 9);
  const tls13: SaslContext = { secure: true, channelBinding: (kind) => (kind === 'tls-exporter' ? exporter : undefined) };
  const tls12: SaslContext = { secure: true, channelBinding: (kind) => (kind === 'tls-unique' ? unique : undefined) };
  const creds = { username: 'user', password: 'pencil' };
  const serverFirst = b('r=abcdef,s=QSXCR+Q6sek8bf92,i=4096');

  it('uses tls-exporter (RFC 9266) on TLS 1.3 and puts the binding data in c=', () => {
    const mech = createMechanism('SCRAM-SHA-256-PLUS', creds, tls13, { nonce: () => 'abc' });
    expect(mech.start()?.toString()).toBe('p=tls-exporter,,n=user,r=abc');
    const final = mech.step(serverFirst).toString();
    const c = /^c=([^,]+),/.exec(final)?.[1] ?? '';
    expect(Buffer.from(c, 'base64')).toEqual(Buffer.concat([b('p=tls-exporter,,'), exporter]));
  });

  it('falls back to tls-unique on TLS 1.2', () => {
    const mech = createMechanism('SCRAM-SHA-1-PLUS', creds, tls12, { nonce: () => 'abc' });
    expect(mech.start()?.toString()).toBe('p=tls-unique,,n=user,r=abc');
    const c = /^c=([^,]+),/.exec(mech.step(serverFirst).toString())?.[1] ?? '';
    expect(Buffer.from(c, 'base64')).toEqual(Buffer.concat([b('p=tls-unique,,'), unique]));
  });

  it('refuses -PLUS without channel binding data', () => {
    expect(() => createMechanism('SCRAM-SHA-256-PLUS', creds, { secure: true })).toThrow(expect.objectContaining({ code: 'MAIL_SASL' }));
    expect(() => createMechanism('SCRAM-SHA-256-PLUS', creds, { ...tls13, secure: false })).toThrow(/channel binding/);
  });

  it('sends y when the client could bind but runs the plain variant, n when it cannot or the server offers -PLUS', () => {
    expect(createMechanism('SCRAM-SHA-256', creds, tls13, { nonce: () => 'x' }).start()?.toString()).toBe('y,,n=user,r=x');
    expect(createMechanism('SCRAM-SHA-256', creds, { secure: true }, { nonce: () => 'x' }).start()?.toString()).toBe('n,,n=user,r=x');
    expect(createMechanism('SCRAM-SHA-256', creds, tls13, { nonce: () => 'x', serverOffersPlus: true }).start()?.toString()).toBe(
      'n,,n=user,r=x',
    );
    // c= of the y flag is base64("y,,") = eSws.
    const mech = createMechanism('SCRAM-SHA-256', creds, tls13, { nonce: () => 'abc' });
    mech.start();
    expect(mech.step(serverFirst).toString()).toMatch(/^c=eSws,r=abcdef,p=/);
  });
});
