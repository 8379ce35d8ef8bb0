/**
 * @mail/pop3: a complete POP3 client. See the README for the poplib mapping and the RFCs.
 */
export { POP3 } from './client.js';
export type { POP3State } from './core.js';
export type { POP3ConnectOptions, CallOptions } from './options.js';
export { POP3_PORT, POP3S_PORT, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_PIPELINE_WINDOW } from './options.js';
export type { AuthCredentials, LoginOptions } from './auth.js';
export { apopDigest } from './auth.js';
export type { LanguageEntry } from './lang.js';
export type { FetchedMessage, MessagesOptions, RetrManyOptions } from './pipelining.js';
export {
  POP3Error,
  POP3ReplyError,
  POP3AuthenticationError,
  POP3MailboxInUseError,
  POP3_REPLY,
  POP3_NOT_SUPPORTED,
} from './errors.js';
export { POP3Capabilities } from './protocol/capa.js';
export type { POP3ResponseCode, StatusLine } from './protocol/status.js';
export type { StatResult, ListEntry, UidlEntry } from './protocol/listing.js';
