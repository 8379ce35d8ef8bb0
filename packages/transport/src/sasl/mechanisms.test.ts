import { describe, expect, it } from 'vitest';
import { MailError } from '../errors.js';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { createMechanism, supportedMechanisms } from './registry.js';
import type { SaslContext } from './types.js';

const ctx: SaslContext = { secure: true };
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('PLAIN (RFC 4616 §4 examples)', () => {
  it('sends NUL tim NUL tanstaaftanstaaf as the initial response', () => {
    const mech = createMechanism('PLAIN', { username: 'tim', password: 'tanstaaftanstaaf' }, ctx);
    expect(mech.clientFirst).toBe(true);
    expect(mech.start()).toEqual(b('\0tim\0tanstaaftanstaaf'));
    expect(mech.done).toBe(true);
    expect(() => mech.finish()).not.toThrow();
  });

  it('sends authzid Ursel for authcid Kurt', () => {
    const mech = createMechanism('PLAIN', { username: 'Kurt', password: 'xipj3plmq', authzid: 'Ursel' }, ctx);
    expect(mech.start()).toEqual(b('Ursel\0Kurt\0xipj3plmq'));
  });

  it('answers an empty first challenge when no initial response was sent (RFC 4422 §5)', () => {
    const mech = createMechanism('plain', { username: 'tim', password: 'tanstaaftanstaaf' }, ctx);
    expect(mech.step(Buffer.alloc(0))).toEqual(b('\0tim\0tanstaaftanstaaf'));
    expect(mech.done).toBe(true);
    expect(() => mech.step(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'MAIL_SASL' }));
  });

  it('refuses NUL in fields and a missing password, without echoing them', () => {
    const e = thrown(() => createMechanism('PLAIN', { username: 'tim', password: 'se\0cret' }, ctx));
    expect(MailError.hasCode(e, 'MAIL_INVALID_ARGUMENT')).toBe(true);
    expect((e as Error).message).not.toContain('se');
    expect(MailError.hasCode(thrown(() => createMechanism('PLAIN', { username: 'tim' }, ctx)), 'MAIL_INVALID_ARGUMENT')).toBe(true);
  });

  it('refuses a non-empty challenge before the initial response', () => {
    const mech = createMechanism('PLAIN', { username: 'tim', password: 'x' }, ctx);
    expect(() => mech.step(b('hello'))).toThrow(/non-empty challenge/);
  });

  it('start() twice is an error', () => {
    const mech = createMechanism('PLAIN', { username: 'tim', password: 'x' }, ctx);
    mech.start();
    expect(() => mech.start()).toThrow(/twice/);
  });
});

describe('LOGIN (draft-murchison-sasl-login)', () => {
  it('answers the Username: and Password: prompts in order', () => {
    const mech = createMechanism('LOGIN', { username: 'tim', password: 'tanstaaf' }, ctx);
    expect(mech.clientFirst).toBe(false);
    expect(mech.start()).toBeNull();
    // SMTP servers send base64("Username:") = VXNlcm5hbWU6 and base64("Password:") = UGFzc3dvcmQ6.
    expect(mech.step(decodeBase64Strict('VXNlcm5hbWU6'))).toEqual(b('tim'));
    expect(mech.done).toBe(false);
    expect(mech.step(decodeBase64Strict('UGFzc3dvcmQ6'))).toEqual(b('tanstaaf'));
    expect(mech.done).toBe(true);
    expect(() => mech.step(b('Password:'))).toThrow(/third/);
  });

  it('answers by position whatever the prompt text ("User Name")', () => {
    const mech = createMechanism('LOGIN', { username: 'jörg', password: 'pässword' }, ctx);
    expect(mech.step(b('User Name'))).toEqual(b('jörg'));
    expect(mech.step(b('Password'))).toEqual(b('pässword'));
  });
});

describe('CRAM-MD5 (RFC 2195 §2 example)', () => {
  it('computes tim b913a602c7eda7a495b4e6e7334d3890', () => {
    const mech = createMechanism('CRAM-MD5', { username: 'tim', password: 'tanstaaftanstaaf' }, ctx);
    expect(mech.clientFirst).toBe(false);
    expect(mech.start()).toBeNull();
    const challenge = decodeBase64Strict('PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+');
    expect(challenge.toString()).toBe('<1896.697170952@postoffice.reston.mci.net>');
    const response = mech.step(challenge);
    expect(response.toString()).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
    expect(encodeBase64(response)).toBe('dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw');
    expect(mech.done).toBe(true);
  });

  it('refuses an empty challenge and a second challenge', () => {
    const mech = createMechanism('CRAM-MD5', { username: 'tim', password: 'x' }, ctx);
    expect(() => mech.step(Buffer.alloc(0))).toThrow(/empty challenge/);
    const other = createMechanism('CRAM-MD5', { username: 'tim', password: 'x' }, ctx);
    other.step(b('<1.2@x>'));
    expect(() => other.step(b('<1.2@x>'))).toThrow(/second/);
  });
});

describe('EXTERNAL (RFC 4422 App. A) and ANONYMOUS (RFC 4505)', () => {
  it('EXTERNAL sends an empty message by default and the authzid when given', () => {
    const mech = createMechanism('EXTERNAL', { username: '' }, ctx);
    const first = mech.start();
    expect(first).not.toBeNull();
    expect(first?.length).toBe(0);
    expect(mech.done).toBe(true);
    expect(createMechanism('EXTERNAL', { username: '', authzid: 'fred@example.com' }, ctx).start()).toEqual(b('fred@example.com'));
  });

  it('ANONYMOUS sends the trace information (RFC 4505 §4 example)', () => {
    const mech = createMechanism('ANONYMOUS', { username: 'sirhc' }, ctx);
    expect(mech.start()).toEqual(b('sirhc'));
    expect(() => createMechanism('ANONYMOUS', { username: 'x'.repeat(256) }, ctx)).toThrow(/255/);
    expect(createMechanism('ANONYMOUS', { username: 'é'.repeat(255) }, ctx).start()?.toString()).toBe('é'.repeat(255));
  });

  it('both refuse server challenges after the message', () => {
    for (const name of ['EXTERNAL', 'ANONYMOUS']) {
      const mech = createMechanism(name, { username: '' }, ctx);
      mech.start();
      expect(() => mech.step(b('x'))).toThrow(expect.objectContaining({ code: 'MAIL_SASL' }));
    }
  });
});

describe('registry', () => {
  it('creates every supported mechanism with suitable credentials', () => {
    const full: SaslContext = { secure: true, channelBinding: () => Buffer.alloc(32, 1), host: 'h', port: 1 };
    for (const name of supportedMechanisms) {
      const mech = createMechanism(name, { username: 'u', password: 'p', token: 't0k' }, full);
      expect(mech.name).toBe(name);
    }
  });

  it('rejects unknown mechanisms with MAIL_SASL', () => {
    expect(() => createMechanism('GSSAPI', { username: 'u' }, ctx)).toThrow(expect.objectContaining({ code: 'MAIL_SASL' }));
  });

  it('caps challenge rounds for every mechanism (default 10)', () => {
    // No mechanism here loops by itself, so a cap below what LOGIN needs shows that the
    // cap fires before the mechanism's own logic runs.
    const mech = createMechanism('LOGIN', { username: 'u', password: 'p' }, ctx, { maxRounds: 1 });
    mech.step(b('Username:'));
    expect(() => mech.step(b('Password:'))).toThrow(/more than 1 challenges/);
  });
});

describe('base64 helpers', () => {
  it('round-trips and rejects non-canonical or invalid input without quoting it', () => {
    expect(decodeBase64Strict('')).toEqual(Buffer.alloc(0));
    expect(decodeBase64Strict(encodeBase64(b('\0tim\0secret')))).toEqual(b('\0tim\0secret'));
    for (const bad of ['AQ', 'A===', 'AQ= =', 'c2VjcmV0 ', 'AR==', '%%%%']) {
      const e = thrown(() => decodeBase64Strict(bad, 'AUTH response'));
      expect(MailError.hasCode(e, 'MAIL_PROTOCOL')).toBe(true);
      expect((e as Error).message).not.toContain(bad);
    }
    expect(MailError.hasCode(thrown(() => decodeBase64Strict('!', 'x', 'MAIL_SASL')), 'MAIL_SASL')).toBe(true);
  });
});
