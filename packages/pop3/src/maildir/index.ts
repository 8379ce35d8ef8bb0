/**
 * `@mail/pop3/maildir`: Maildir storage with durable delivery, and a POP3 mailbox over it.
 */
export { Maildir, type MaildirEntry, type MaildirOpenOptions, type MessageSource } from './maildir.js';
export { MaildirBatch } from './batch.js';
export { MaildirMailbox } from './mailbox.js';
export type { MaildirIO, MaildirFile } from './io.js';
export { uniqueName, uidOf } from './name.js';
