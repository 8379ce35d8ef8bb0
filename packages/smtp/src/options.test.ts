import { describe, expect, it } from 'vitest';
import { defaultLocalName, resolveSMTPOptions } from './options.js';

describe('resolveSMTPOptions (RFC 8314 defaults)', () => {
  it.each([
    [{}, 587, 'starttls'],
    [{ port: 465 }, 465, 'tls'],
    [{ port: 25 }, 25, 'starttls'],
    [{ port: 587 }, 587, 'starttls'],
    [{ security: 'tls' as const }, 465, 'tls'],
    [{ security: 'none' as const }, 587, 'none'],
    [{ port: 2525, security: 'none' as const }, 2525, 'none'],
  ])('%j -> port %i, %s', (given, port, security) => {
    const r = resolveSMTPOptions({ host: 'mx.example', ...given });
    expect([r.port, r.security]).toEqual([port, security]);
  });

  it('uses the LMTP default port when asked, and a valid EHLO name by default', () => {
    expect(resolveSMTPOptions({ host: 'x', security: 'none' }, 24).port).toBe(24);
    expect(resolveSMTPOptions({ host: 'x', localName: 'me.example' }).localName).toBe('me.example');
    expect(defaultLocalName()).toMatch(/^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[127\.0\.0\.1\])$/);
  });
});
