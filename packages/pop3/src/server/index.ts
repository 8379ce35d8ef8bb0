/**
 * `@mail/pop3/server`: an embeddable POP3 server over a {@link Mailbox} interface (CAPA, STLS,
 * implicit TLS, USER/PASS, APOP, SASL, UIDL, TOP, PIPELINING, RESP-CODES).
 */
export { POP3Server, createPOP3Server, type POP3ListenOptions } from './server.js';
export type { PasswordLookup, POP3ServerOptions, POP3SessionInfo } from './types.js';
export type { Mailbox, MailboxEntry } from './mailbox.js';
export { BodyStuffer, TopLimiter } from './stuff.js';
/** The reason a hook's AbortSignal carries when `hookTimeout` passed. */
export { HookTimeoutError } from '@mail/transport';
