/**
 * Opening a logged-in SMTP session for `send` and `sendmail`.
 */
import { SMTP } from '@mail/smtp';
import type { Target } from '../config/account.js';
import { findCredentials } from '../config/password.js';
import type { CliIO } from '../io.js';
import type { CommonOptions } from '../options.js';
import { clientOptions } from './options.js';

/** Connects (TLS per target), says EHLO and logs in when credentials are available. */
export async function openSmtp(io: CliIO, opts: CommonOptions, target: Target, localName?: string): Promise<SMTP> {
  const options = await clientOptions(io, opts, target);
  const credentials = await findCredentials(io, opts, target);
  return SMTP.connect({
    ...options,
    ...(localName !== undefined ? { localName } : {}),
    ...(credentials ? { auth: { username: credentials.user, password: credentials.password } } : {}),
  });
}
