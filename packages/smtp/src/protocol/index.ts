/**
 * The sans-I/O SMTP protocol layer, shared by the client and the server half: replies,
 * EHLO capabilities, command formatting and parsing, xtext, address checks.
 */
export * from './errors.js';
export * from './reply.js';
export * from './ehlo.js';
export * from './commands.js';
export * from './address.js';
export * from './xtext.js';
export * from './headers.js';
