import { describe, expect, it } from 'vitest';
import { formatEhloLines, hasKeyword, heloCapabilities, parseEhlo } from './ehlo.js';
import { makeReply } from './reply.js';

describe('parseEhlo', () => {
  it('parses keywords, params, SIZE and AUTH (old-style AUTH= merged)', () => {
    const caps = parseEhlo(makeReply(250, [
      'mx.example.test Hello client [127.0.0.1]',
      'PIPELINING',
      'SIZE 10240000',
      'auth PLAIN LOGIN',
      'AUTH=LOGIN CRAM-MD5',
      'ENHANCEDSTATUSCODES',
      '8BITMIME',
      'DSN',
      'SMTPUTF8',
      'CHUNKING',
      'X-CUSTOM a=b c',
      '',
    ]));
    expect(caps.serverName).toBe('mx.example.test');
    expect(caps.size).toBe(10240000);
    expect(caps.auth).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    expect(caps.keywords.get('AUTH')).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    expect(caps.keywords.get('X-CUSTOM')).toEqual(['a=b', 'c']);
    expect(hasKeyword(caps, 'pipelining')).toBe(true);
    expect(hasKeyword(caps, 'STARTTLS')).toBe(false);
    expect([...caps.keywords.keys()]).toEqual(['PIPELINING', 'SIZE', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME', 'DSN', 'SMTPUTF8', 'CHUNKING', 'X-CUSTOM']);
  });

  it.each([
    [['x', 'SIZE'], 0],
    [['x', 'SIZE 0'], 0],
    [['x', 'SIZE abc'], 0],
    [['x'], undefined],
  ])('SIZE in %j is %j', (lines, size) => {
    expect(parseEhlo(makeReply(250, lines)).size).toBe(size);
  });

  it('ignores malformed keyword lines and handles a single-line reply', () => {
    const caps = parseEhlo(makeReply(250, ['only.name']));
    expect(caps.keywords.size).toBe(0);
    expect(parseEhlo(makeReply(250, ['x', '-bad', '*weird'])).keywords.size).toBe(0);
  });

  it('HELO gives no extensions', () => {
    expect(heloCapabilities(makeReply(250, ['old.example hi'])).keywords.size).toBe(0);
  });

  it('formats lines for the server half and they parse back', () => {
    const lines = formatEhloLines('mx', 'hi', new Map([['SIZE', ['100']], ['PIPELINING', []]]));
    expect(lines).toEqual(['mx hi', 'SIZE 100', 'PIPELINING']);
    expect(parseEhlo(makeReply(250, lines)).size).toBe(100);
  });
});
