/**
 * `@mail/smtp/server`: an embeddable SMTP/LMTP server (PIPELINING, SIZE, 8BITMIME, SMTPUTF8,
 * CHUNKING, DSN, ENHANCEDSTATUSCODES, STARTTLS, implicit TLS, AUTH).
 */
export { SMTPServer, createSMTPServer, type ListenOptions } from './server.js';
export {
  SMTPServerReplyError,
  type Envelope,
  type EnvelopeAddress,
  type HookResult,
  type PasswordLookup,
  type ServerReply,
  type SessionInfo,
  type SMTPServerAuth,
  type SMTPServerLimits,
  type SMTPServerOptions,
  type SMTPServerTimeouts,
} from './types.js';
export { MessageRejectedError, type DataProblem } from './data.js';
/** The reason a hook's AbortSignal carries when `hookTimeout` passed. */
export { HookTimeoutError } from '@mail/transport';
