/**
 * Sans-I/O POP3: pure parsers and formatters shared by the client and the server halves.
 * Parsers never throw on hostile input; they return a {@link Parsed} failure whose `code`
 * the I/O layer throws as a `MailError`.
 */
export * from './result.js';
export * from './limits.js';
export * from './status.js';
export * from './capa.js';
export * from './listing.js';
export * from './greeting.js';
export * from './commands.js';
export * from './sasl.js';
