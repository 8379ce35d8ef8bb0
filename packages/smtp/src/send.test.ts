import { describe, expect, it } from 'vitest';
import { MailRequest } from './send.js';

describe('MailRequest', () => {
  const signal = new AbortController().signal;

  it('copies the options of a plain object, spread-built or not', () => {
    const base = { from: 'a@example.test', to: ['b@example.test'] };
    const r = new MailRequest({ ...base, message: 'x', size: 10, signal, dsn: { ret: 'HDRS' } });
    expect(r).toMatchObject({ from: 'a@example.test', to: ['b@example.test'], message: 'x', size: 10, signal, dsn: { ret: 'HDRS' } });
    expect(r.body).toBeUndefined();
    expect(r.lookAhead).toBeUndefined();
  });

  it('reads a class instance and inherited options as the caller defined them', () => {
    class Options {
      get from(): string {
        return 'getter@example.test';
      }
      to = 'b@example.test';
      message = 'x';
      signal = signal;
    }
    expect(new MailRequest(new Options())).toMatchObject({ from: 'getter@example.test', to: 'b@example.test', signal });
    const inherited = Object.create({ from: 'proto@example.test', size: 5 }) as { to: string; message: string };
    inherited.to = 'c@example.test';
    inherited.message = 'y';
    expect(new MailRequest(inherited as never)).toMatchObject({ from: 'proto@example.test', to: 'c@example.test', size: 5 });
  });

  it('reads the options once, when the call is made', () => {
    const options = { from: 'a@example.test', to: 'b@example.test', message: 'x' };
    const r = new MailRequest(options);
    options.from = 'changed@example.test';
    expect(r.from).toBe('a@example.test');
  });
});
