import { expect, it } from 'vitest';
import { MailError } from '@mail/transport';

it('resolves @mail/transport from its live source', () => {
  expect(MailError.is(new MailError('MAIL_PROTOCOL', 'x'))).toBe(true);
});
