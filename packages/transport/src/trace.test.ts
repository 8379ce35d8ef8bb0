import diagnostics_channel from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { escapeForTerminal, redactLine, TRACE_CHANNEL, Tracer } from './trace.js';
import type { TraceEvent } from './types.js';

describe('redactLine', () => {
  it.each([
    ['AUTH PLAIN AHVzZXIAc2VjcmV0', 2, 'AUTH PLAIN ****'],
    ['PASS hunter2', 1, 'PASS ****'],
    ['APOP user c4c9334bac560ecc979e58001b3e22fb', 2, 'APOP user ****'],
    ['dXNlcg==', 0, '****'],
    ['AUTH PLAIN', 2, 'AUTH PLAIN'],
    ['PASS my secret with spaces', 1, 'PASS ****'],
    ['', 0, ''],
  ])('%s keeping %i words -> %s', (line, keep, want) => {
    expect(redactLine(line, keep)).toBe(want);
  });
});

describe('escapeForTerminal', () => {
  it('escapes ESC sequences, C0, DEL, C1 and bidi controls, keeps text and TAB', () => {
    expect(escapeForTerminal('220 \u001b[31mred\u001b[0m\r\n')).toBe('220 \\x1b[31mred\\x1b[0m\\x0d\\x0a');
    expect(escapeForTerminal('a\tb\u0007\u007f\u009b\u202e')).toBe('a\tb\\x07\\x7f\\x9b\\u202e');
    expect(escapeForTerminal('Grüße 日本')).toBe('Grüße 日本');
  });

  it("spells CR and LF as \\r and \\n, and code points above U+00FF as \\u{...}, in 'js' notation", () => {
    expect(escapeForTerminal('a\r\nb\u001b[2J\u0007\u202e', { notation: 'js' })).toBe('a\\r\\nb\\x1b[2J\\x07\\u{202e}');
    expect(escapeForTerminal('tab\there Grüße', { notation: 'js' })).toBe('tab\there Grüße');
    expect(escapeForTerminal('\r\n', { notation: 'hex' })).toBe('\\x0d\\x0a');
  });
});

describe('Tracer', () => {
  it('publishes on mail:trace and logs by level, timestamps and sizes at level 2 only', () => {
    const events: TraceEvent[] = [];
    const onMessage = (m: unknown): void => void events.push(m as TraceEvent);
    diagnostics_channel.subscribe(TRACE_CHANNEL, onMessage);
    try {
      const l1: string[] = [];
      const l2: string[] = [];
      const t1 = new Tracer(7, 'smtp', 1, (l) => l1.push(l));
      const t2 = new Tracer(8, 'pop3', 2, (l) => l2.push(l));
      const t0 = new Tracer(9, 'smtp', 0, () => expect.unreachable('level 0 logs nothing'));
      for (const t of [t1, t2, t0]) {
        t.event('c', 'EHLO x');
        t.event('s', '<100 bytes>', true);
      }
      expect(l1).toEqual(['[smtp#7] C: EHLO x']);
      expect(l2).toHaveLength(2);
      expect(l2[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[pop3#8\] C: EHLO x$/);
      expect(l2[1]).toMatch(/S: <100 bytes>$/);
      expect(events.map((e) => [e.id, e.direction, e.text])).toEqual([
        [7, 'c', 'EHLO x'], [7, 's', '<100 bytes>'], [8, 'c', 'EHLO x'], [8, 's', '<100 bytes>'], [9, 'c', 'EHLO x'], [9, 's', '<100 bytes>'],
      ]);
    } finally {
      diagnostics_channel.unsubscribe(TRACE_CHANNEL, onMessage);
    }
  });
});
