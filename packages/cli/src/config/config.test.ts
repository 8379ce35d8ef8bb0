import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse.js';
import { addressMatches, chooseAccount, resolveTarget } from './account.js';
import { parseHostPort, parseServerUrl } from './url.js';
import { parseNetrc } from './netrc.js';
import { CliError } from '../errors.js';

describe('parseServerUrl', () => {
  it.each([
    ['smtps://me@mail.example.org', { protocol: 'smtp', host: 'mail.example.org', port: 465, security: 'tls', user: 'me' }],
    ['smtp://mail.example.org:587', { protocol: 'smtp', host: 'mail.example.org', port: 587, security: 'starttls', explicitPort: true }],
    ['smtp://mail.example.org:465', { protocol: 'smtp', host: 'mail.example.org', port: 465, security: 'tls', explicitPort: true }],
    ['submission://h', { protocol: 'smtp', host: 'h', port: 587, security: 'starttls' }],
    ['pop3s://a%40b@pop.example.org', { protocol: 'pop3', host: 'pop.example.org', port: 995, security: 'tls', user: 'a@b' }],
    ['pop3://[::1]:1110', { protocol: 'pop3', host: '::1', port: 1110, security: 'starttls', explicitPort: true }],
  ])('%s', (input, expected) => {
    expect(parseServerUrl(input)).toEqual(expected);
  });

  it('accepts a bare host when the protocol is known', () => {
    expect(parseServerUrl('localhost:2525', 'smtp')).toMatchObject({ host: 'localhost', port: 2525, security: 'starttls' });
  });

  it.each([['smtps://u:secret@h'], ['ftp://h'], ['h'], ['smtp://']])('refuses %s', (input) => {
    expect(() => parseServerUrl(input)).toThrow(CliError);
  });

  it('refuses a POP3 URL where SMTP is expected', () => {
    expect(() => parseServerUrl('pop3://h', 'smtp')).toThrow(/not a SMTP URL/);
  });

  it('parses HOST:PORT', () => {
    expect(parseHostPort('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseHostPort('[::1]:25')).toEqual({ host: '::1', port: 25 });
    expect(parseHostPort('2525')).toEqual({ host: '127.0.0.1', port: 2525 });
    expect(() => parseHostPort('x:99999')).toThrow();
  });
});

const TOML = `
[defaults]
timeout = 30
security = "starttls"

[accounts.work]
from = "Me <me@work.example>"
addresses = ["*@work.example"]
smtp = "smtp://me@mail.work.example:587"
pop3 = "pop3s://me@mail.work.example"
password_command = "echo secret"

[accounts.alias]
inherit = "work"
from = "alias@other.example"

[accounts.home]
smtp = "smtps://home@mail.home.example"
security = "tls"
`;

describe('config', () => {
  it('merges defaults and inherited accounts', () => {
    const c = parseConfig(TOML);
    expect(c.accounts.get('alias')).toMatchObject({ name: 'alias', from: 'alias@other.example', smtp: 'smtp://me@mail.work.example:587', timeout: 30, password_command: 'echo secret' });
    expect(c.accounts.get('home')).toMatchObject({ security: 'tls', timeout: 30 });
  });

  it('chooses the account from the From address', () => {
    const c = parseConfig(TOML);
    expect(chooseAccount(c, undefined, 'me@work.example')?.name).toBe('work');
    expect(chooseAccount(c, undefined, 'other@work.example')?.name).toBe('work');
    expect(chooseAccount(c, undefined, 'alias@other.example')?.name).toBe('alias');
    expect(chooseAccount(c, undefined, 'nobody@x.example')).toBeUndefined();
    expect(() => chooseAccount(c, 'nope')).toThrow(/unknown account "nope"/);
  });

  it('resolves a target with overrides', () => {
    const c = parseConfig(TOML);
    const t = resolveTarget(c, { account: 'work', timeout: 5 }, 'pop3');
    // [defaults] security = "starttls" wins over the pop3s:// scheme, and the port follows it.
    expect(t).toMatchObject({ server: { host: 'mail.work.example', port: 110 }, user: 'me', security: 'starttls', timeoutMs: 5000 });
    const o = resolveTarget(c, { account: 'work', server: 'smtps://x@other.example', user: 'y' }, 'smtp');
    expect(o).toMatchObject({ server: { host: 'other.example', port: 465 }, user: 'y', security: 'tls' });
    expect(() => resolveTarget(c, { account: 'home' }, 'pop3')).toThrow(/no POP3 server/);
    expect(resolveTarget(c, { server: 'smtp://h', security: 'tls' }, 'smtp').server.port).toBe(465);
    expect(resolveTarget(c, { server: 'smtp://h:2525', security: 'tls' }, 'smtp').server.port).toBe(2525);
    expect(resolveTarget(c, { server: 'pop3s://h', security: 'starttls' }, 'pop3').server.port).toBe(110);
  });

  it.each([
    ['[accounts.a]\ninherit = "b"', /unknown account "b"/],
    ['[accounts.a]\ninherit = "b"\n[accounts.b]\ninherit = "a"', /cycle/],
    ['[accounts.a]\ntimeout = "x"', /positive number/],
    ['[accounts.a]\nbogus = 1', /unknown key "bogus"/],
    ['[other]\n', /unknown section/],
    ['not toml = = 1', /invalid TOML/],
    ['[defaults]\naccount = "zz"', /names no account/],
  ])('rejects bad config %#', (text, message) => {
    try {
      parseConfig(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(78);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('matches address patterns', () => {
    expect(addressMatches('*@x.org', 'A@X.org')).toBe(true);
    expect(addressMatches('@x.org', 'a@x.org')).toBe(true);
    expect(addressMatches('a@x.org', 'b@x.org')).toBe(false);
    expect(addressMatches('a.b@x.org', 'aXb@x.org')).toBe(false);
  });
});

describe('netrc', () => {
  it('parses machines, default and macdef', () => {
    const entries = parseNetrc('machine a.example login u password "p w"\nmacdef init\ncd /\n\ndefault login anon password x\n');
    expect(entries).toEqual([
      { machine: 'a.example', login: 'u', password: 'p w' },
      { machine: undefined, login: 'anon', password: 'x' },
    ]);
  });
});
