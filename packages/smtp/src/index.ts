/**
 * @mail/smtp: a complete SMTP, ESMTP and LMTP client.
 */
export { SMTP, type CallOptions, type LoginOptions } from './client.js';
export { LMTP, type LMTPConnectOptions } from './lmtp.js';
export { SMTPPool, type SMTPPoolOptions, type RetryPolicy, type RateLimit } from './pool.js';
export type { SMTPConnectOptions, SMTPAuthOptions } from './options.js';
export type { BodyInput, MessageFile } from './body.js';
export type { SendMessageOptions } from './message.js';
export type { SendMailOptions, SendResult, Recipient, RecipientResult, DSNOptions, FinalResponse } from './result.js';
export {
  SMTPError, SMTPReplyError, SMTPSenderRefusedError, SMTPRecipientRefusedError, SMTPDataError,
  SMTPAuthenticationError, SMTPHeloError, SMTPRecipientsRefusedError, SMTPServerDisconnectedError,
  SMTPNotSupportedError, SMTPMessageError, SMTPOutcomeUnknownError,
} from './errors.js';
export type { Reply } from './protocol/reply.js';
export type { Capabilities } from './protocol/ehlo.js';
export type { MailParams, RcptParams, BodyType, NotifyCondition } from './protocol/commands.js';
export * as protocol from './protocol/index.js';
