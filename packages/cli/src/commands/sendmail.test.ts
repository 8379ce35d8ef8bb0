import { describe, expect, it } from 'vitest';
import { completeHeaders, cutAtDotLine, parseSendmailArgs } from './sendmail.js';

describe('sendmail arguments', () => {
  it('parses the msmtp/Postfix subset', () => {
    const a = parseSendmailArgs(['-t', '-oi', '-fbounce@x.org', '-F', 'Full Name', '-N', 'failure,delay', '-R', 'hdrs', '-V', 'id1', '-odi', '--account', 'work', 'a@x.org', '--', '-odd@x.org']);
    expect(a).toMatchObject({ readRecipients: true, ignoreDots: true, sender: 'bounce@x.org', fullName: 'Full Name', notify: 'failure,delay', ret: 'HDRS', envid: 'id1', recipients: ['a@x.org', '-odd@x.org'], common: { account: 'work' } });
  });

  it.each([['-bp'], ['-q'], ['-Z'], ['-R', 'x'], ['--timeout', '0']])('refuses %s', (...argv) => {
    expect(() => parseSendmailArgs(argv)).toThrow();
  });

  it('cuts at a lone dot line only without -i', () => {
    expect(cutAtDotLine(Buffer.from('a\n.\nb\n')).toString()).toBe('a\n');
    expect(cutAtDotLine(Buffer.from('a\n..\nb\n')).toString()).toBe('a\n..\nb\n');
    expect(cutAtDotLine(Buffer.from('.\r\n')).toString()).toBe('');
  });

  it('adds From, Date and Message-ID only when missing', () => {
    const out = completeHeaders(Buffer.from('Subject: s\n\nbody\n'), 'me@x.org', 'Me "Q"').toString();
    expect(out).toMatch(/^From: "Me Q" <me@x.org>\nDate: .+\nMessage-ID: <.+@x\.org>\nSubject: s\n\nbody\n$/);
    const full = 'From: a@b\nDate: x\nMessage-ID: <1@b>\n\nbody\n';
    expect(completeHeaders(Buffer.from(full), 'me@x.org', undefined).toString()).toBe(full);
    expect(completeHeaders(Buffer.from('just a body line\n'), 'me@x.org', undefined).toString()).toMatch(/\n\njust a body line\n$/);
  });
});
