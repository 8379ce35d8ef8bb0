/**
 * MAIL FROM and RCPT TO (RFC 5321 §4.1.1.2-3) with the ESMTP parameters the server
 * announces: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), DSN (RFC 3461).
 */
import { isAsciiAddress, parsePathArgument } from '../protocol/address.js';
import { decodeXtext } from '../protocol/xtext.js';
import { callHook } from './call-hook.js';
import type { Session } from './session.js';
import type { EnvelopeAddress, ServerReply } from './types.js';

const MAIL_PARAMS = new Set(['SIZE', 'BODY', 'SMTPUTF8', 'RET', 'ENVID']);
const RCPT_PARAMS = new Set(['NOTIFY', 'ORCPT']);

/** Checks the parameters; returns an error reply or undefined. */
function checkParams(session: Session, params: Record<string, string | true>, allowed: Set<string>): ServerReply | undefined {
  for (const [key, value] of Object.entries(params)) {
    // RFC 5321 §4.1.1.11: an unrecognised parameter is a 555.
    if (!allowed.has(key)) return { code: 555, enhanced: '5.5.4', message: `Unsupported parameter ${key}` };
    switch (key) {
      case 'SIZE':
        if (value === true || !/^\d{1,20}$/.test(value)) return { code: 501, enhanced: '5.5.4', message: 'Bad SIZE value' };
        // RFC 1870 §6.3: refuse at MAIL when the declared size is over the limit.
        if (Number(value) > session.config.maxMessageSize) return { code: 552, enhanced: '5.3.4', message: 'Message size exceeds fixed limit' };
        break;
      case 'BODY':
        if (value === true || !/^(7BIT|8BITMIME)$/i.test(value)) return { code: 501, enhanced: '5.5.4', message: 'BODY must be 7BIT or 8BITMIME' };
        break;
      case 'SMTPUTF8':
        if (value !== true) return { code: 501, enhanced: '5.5.4', message: 'SMTPUTF8 takes no value' };
        break;
      case 'RET':
        if (value === true || !/^(FULL|HDRS)$/i.test(value)) return { code: 501, enhanced: '5.5.4', message: 'RET must be FULL or HDRS' };
        break;
      case 'NOTIFY':
        if (value === true || !/^(NEVER|((SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*))$/i.test(value)) {
          return { code: 501, enhanced: '5.5.4', message: 'Bad NOTIFY value' };
        }
        break;
      case 'ENVID':
      case 'ORCPT':
        if (value === true) return { code: 501, enhanced: '5.5.4', message: `${key} needs a value` };
        try {
          decodeXtext(value);
        } catch {
          return { code: 501, enhanced: '5.5.4', message: `Bad xtext in ${key}` };
        }
        if (key === 'ORCPT' && !/^[A-Za-z0-9-]+;/.test(value)) return { code: 501, enhanced: '5.5.4', message: 'ORCPT needs addr-type;address' };
        break;
    }
  }
  return undefined;
}

function parse(session: Session, arg: string, prefix: 'FROM' | 'TO'): EnvelopeAddress | undefined {
  try {
    const parsed = parsePathArgument(arg, prefix);
    return { address: parsed.address, params: Object.fromEntries(parsed.params) };
  } catch {
    session.bad(501, '5.5.4', `Syntax: ${prefix === 'FROM' ? 'MAIL FROM:<address>' : 'RCPT TO:<address>'}`);
    return undefined;
  }
}

/** MAIL FROM:<address> [params]. */
export async function handleMail(session: Session, arg: string): Promise<void> {
  if (session.clientName === undefined) return session.bad(503, '5.5.1', `Send ${session.lmtp ? 'LHLO' : 'EHLO/HELO'} first`);
  if (session.envelope) return session.bad(503, '5.5.1', 'Nested MAIL command');
  if (session.config.options.auth?.required && session.user === undefined) return session.bad(530, '5.7.0', 'Authentication required');
  const from = parse(session, arg, 'FROM');
  if (!from) return;
  if (!session.extended && Object.keys(from.params).length > 0) return session.bad(555, '5.5.4', 'Parameters need EHLO');
  const problem = checkParams(session, from.params, MAIL_PARAMS);
  if (problem) return session.bad(problem.code, problem.enhanced!, problem.message!);
  const smtputf8 = from.params.SMTPUTF8 === true;
  // RFC 6531 §3.4: a non-ASCII address needs the SMTPUTF8 parameter.
  if (!smtputf8 && !isAsciiAddress(from.address)) return session.bad(553, '5.6.7', 'Non-ASCII address needs SMTPUTF8');
  const verdict = await callHook(session, 'onMailFrom', session.config.options.onMailFrom && ((signal) => session.config.options.onMailFrom!(from, session, signal)), {
    code: 250,
    enhanced: '2.1.0',
    message: 'Sender OK',
  });
  if (verdict.code >= 300) return session.send(verdict.code, verdict.enhanced, verdict.message ?? '');
  const body = typeof from.params.BODY === 'string' && from.params.BODY.toUpperCase() === '8BITMIME' ? '8BITMIME' : '7BIT';
  session.envelope = { mailFrom: from, rcptTo: [], body, smtputf8, transfer: 'DATA' };
  session.send(verdict.code, verdict.enhanced, verdict.message ?? 'OK');
}

/** RCPT TO:<address> [params]. */
export async function handleRcpt(session: Session, arg: string): Promise<void> {
  const envelope = session.envelope;
  if (!envelope) return session.bad(503, '5.5.1', 'Need MAIL before RCPT');
  const to = parse(session, arg, 'TO');
  if (!to) return;
  if (to.address === '') return session.bad(501, '5.1.3', 'Empty recipient address');
  const problem = checkParams(session, to.params, RCPT_PARAMS);
  if (problem) return session.bad(problem.code, problem.enhanced!, problem.message!);
  if (!envelope.smtputf8 && !isAsciiAddress(to.address)) return session.send(553, '5.6.7', 'Non-ASCII address needs SMTPUTF8');
  // RFC 5321 §4.5.3.1.10: too many recipients is a 452, so the client sends the rest later.
  if (envelope.rcptTo.length >= session.config.maxRecipients) return session.send(452, '4.5.3', 'Too many recipients');
  const verdict = await callHook(session, 'onRcptTo', session.config.options.onRcptTo && ((signal) => session.config.options.onRcptTo!(to, session, envelope, signal)), {
    code: 250,
    enhanced: '2.1.5',
    message: 'Recipient OK',
  });
  if (verdict.code < 300) envelope.rcptTo.push(to);
  session.send(verdict.code, verdict.enhanced, verdict.message ?? 'OK');
}
