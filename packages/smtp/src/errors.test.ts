import { describe, expect, it } from 'vitest';
import { MailError } from '@mail/transport';
import {
  SMTPDataError, SMTPError, SMTPOutcomeUnknownError, SMTPRecipientRefusedError, SMTPRecipientsRefusedError,
  SMTPReplyError, SMTPSenderRefusedError, SMTPServerDisconnectedError, guard,
} from './errors.js';
import { SMTPProtocolError } from './protocol/errors.js';
import { makeReply } from './protocol/reply.js';

describe('SMTP errors', () => {
  it('quote the server and carry the reply', () => {
    const e = new SMTPRecipientRefusedError('x@y', 'RCPT TO:<x@y>', makeReply(550, ['5.1.1 User unknown']));
    expect(e.message).toBe('RCPT TO:<x@y> rejected: 550 5.1.1 User unknown');
    expect([e.code, e.transient, e.reply.enhancedStatus, e.command, e.recipient]).toEqual(['SMTP_REPLY', false, '5.1.1', 'RCPT TO:<x@y>', 'x@y']);
    expect(new SMTPSenderRefusedError('a@b', 'MAIL FROM:<a@b>', makeReply(451, ['4.3.0 later'])).transient).toBe(true);
  });

  it('are MailErrors with brands that work across copies (no instanceof needed)', () => {
    const e = new SMTPDataError('DATA', makeReply(554, ['no']));
    expect(MailError.is(e) && SMTPError.is(e) && SMTPReplyError.is(e) && SMTPDataError.is(e)).toBe(true);
    expect(SMTPSenderRefusedError.is(e)).toBe(false);
    // A look-alike from another copy: same Symbol.for brands, different class objects.
    const copy = Object.create(null) as Record<symbol, boolean>;
    for (const s of Object.getOwnPropertySymbols(e)) copy[s] = true;
    expect(SMTPDataError.is(copy)).toBe(true);
    expect(SMTPOutcomeUnknownError.is(copy)).toBe(false);
  });

  it('all-refused is transient only when every refusal was', () => {
    const r = (code: number) => new SMTPRecipientRefusedError('x@y', 'RCPT TO:<x@y>', makeReply(code, ['no']));
    expect(new SMTPRecipientsRefusedError([r(450), r(451)]).transient).toBe(true);
    expect(new SMTPRecipientsRefusedError([r(450), r(550)]).transient).toBe(false);
    expect(new SMTPRecipientsRefusedError([r(550), r(550)]).message).toMatch(/and 1 more/);
  });

  it('outcome unknown is never transient; a disconnect is', () => {
    expect(new SMTPOutcomeUnknownError('x').transient).toBe(false);
    expect(new SMTPServerDisconnectedError('gone', makeReply(421, ['4.3.2 bye'])).message).toBe('gone: 421 4.3.2 bye');
  });

  it('guard maps protocol errors to MailError with the same code', () => {
    let caught: unknown;
    try { guard(() => { throw new SMTPProtocolError('MAIL_INVALID_ARGUMENT', 'bad'); }); } catch (e) { caught = e; }
    expect(MailError.hasCode(caught, 'MAIL_INVALID_ARGUMENT')).toBe(true);
  });
});
