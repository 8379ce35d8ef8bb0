import { describe, expect, it } from 'vitest';
import { AddressCache, normalizeAddresses } from './envelope.js';

describe('normalizeAddresses', () => {
  it('checks every address the way normalizeAddress does, cached or not', () => {
    const cache = new AddressCache();
    for (let round = 0; round < 2; round++) {
      const a = normalizeAddresses({ from: ' <a@example.test> ', to: ['b@example.test', { address: '<Postmaster>', notify: 'NEVER' }] }, cache);
      expect(a).toEqual({ from: 'a@example.test', recipients: [{ address: 'b@example.test' }, { address: 'Postmaster', notify: 'NEVER' }], ascii: true });
      expect(normalizeAddresses({ from: '', to: 'ü@example.test' }, cache)).toMatchObject({ from: '', ascii: false });
    }
  });

  it('refuses a bad address on every call (failures are never remembered)', () => {
    const cache = new AddressCache();
    for (let round = 0; round < 2; round++) {
      expect(() => normalizeAddresses({ from: 'a@example.test\r\nRCPT TO:<x@y>', to: 'b@example.test' }, cache)).toThrow(expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' }));
      expect(() => normalizeAddresses({ from: 'a@example.test', to: ['b@example.test', 'no-at-sign'] }, cache)).toThrow(expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' }));
      expect(() => normalizeAddresses({ from: '', to: 'postmaster' }, cache)).not.toThrow();
      expect(() => normalizeAddresses({ from: 'postmaster', to: 'b@example.test' }, cache)).toThrow(expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' }));
      expect(() => normalizeAddresses({ from: 'a@example.test', to: [] }, cache)).toThrow(/no recipients/);
    }
  });

  it('stays correct past its bound', () => {
    const cache = new AddressCache();
    for (let i = 0; i < 600; i++) {
      expect(normalizeAddresses({ from: `<s${i}@example.test>`, to: `<r${i}@example.test>` }, cache)).toMatchObject({ from: `s${i}@example.test`, recipients: [{ address: `r${i}@example.test` }] });
    }
  });
});
