import { describe, expect, it } from 'vitest';
import { resolvePortAndSecurity } from './options.js';

describe('resolvePortAndSecurity (RFC 8314 defaults)', () => {
  it.each([
    [{}, { port: 995, security: 'tls' }],
    [{ port: 995 }, { port: 995, security: 'tls' }],
    [{ port: 110 }, { port: 110, security: 'starttls' }],
    [{ port: 1995 }, { port: 1995, security: 'tls' }],
    [{ security: 'tls' }, { port: 995, security: 'tls' }],
    [{ security: 'starttls' }, { port: 110, security: 'starttls' }],
    [{ security: 'none' }, { port: 110, security: 'none' }],
    [{ port: 110, security: 'none' }, { port: 110, security: 'none' }],
    [{ port: 2110, security: 'starttls' }, { port: 2110, security: 'starttls' }],
  ] as const)('%j → %j', (input, expected) => {
    expect(resolvePortAndSecurity(input)).toEqual(expected);
  });
});
