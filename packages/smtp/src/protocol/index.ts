/**
 * The sans-I/O SMTP protocol layer, shared by the client and the server half: replies,
 * EHLO capabilities, command formatting and parsing, xtext, address checks.
 */
export * from './errors.js';
export * from './reply.js';
export * from './ehlo.js';
// Everything of commands.ts except mailFromLine/rcptToLine, which take an address the
// client already checked and are not for callers (formatMailFrom/formatRcptTo check it).
export type { BodyType, NotifyCondition, MailParams, RcptParams } from './commands.js';
export {
  checkDomainArgument, formatEhlo, formatHelo, formatLhlo, formatCommand, formatMailFrom, formatEnvid, formatOrcpt,
  formatRcptTo, formatNotify, formatBdat, formatWithArgument, formatAuth,
} from './commands.js';
export * from './address.js';
export * from './xtext.js';
export * from './headers.js';
