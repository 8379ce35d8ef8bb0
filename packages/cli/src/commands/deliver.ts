/**
 * The sending step shared by `send` and `sendmail`: pick the account, connect, send, report
 * each recipient's outcome, and choose the exit code.
 */
import { MailError } from '@mail/transport';
import { resolveTarget } from '../config/account.js';
import { loadConfig } from '../config/file.js';
import type { CommandContext } from '../context.js';
import { EX } from '../exit-codes.js';
import { escapeText } from '../output/escape.js';

/** DSN settings as the SMTP client takes them (RFC 3461). */
export interface DsnRequest {
  notify?: 'NEVER' | Array<'SUCCESS' | 'FAILURE' | 'DELAY'>;
  ret?: 'FULL' | 'HDRS';
  envid?: string;
}

/** One send. */
export interface Delivery {
  from: string;
  to: string[];
  message: Buffer;
  dsn?: DsnRequest;
  requireTLS?: boolean;
  localName?: string;
  messageId?: string;
}

interface RecipientLine {
  address: string;
  code: number;
  enhancedStatus?: string | undefined;
  text: string;
}

/** Parses `--dsn-notify never|success,failure,delay`. */
export function parseNotify(text: string): DsnRequest['notify'] {
  const items = text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (items.length === 1 && items[0] === 'NEVER') return 'NEVER';
  const allowed = new Set(['SUCCESS', 'FAILURE', 'DELAY']);
  if (items.length === 0 || !items.every((i) => allowed.has(i))) {
    throw new MailError('MAIL_INVALID_ARGUMENT', `--dsn-notify: expected never, or a list of success,failure,delay; got "${text}"`);
  }
  return items as Array<'SUCCESS' | 'FAILURE' | 'DELAY'>;
}

function describe(r: RecipientLine): string {
  return escapeText(`${r.address}: ${r.code}${r.enhancedStatus ? ` ${r.enhancedStatus}` : ''} ${r.text}`.trim());
}

/** Sends `delivery` and prints the outcome; returns the exit code. */
export async function deliver(ctx: CommandContext, delivery: Delivery): Promise<number> {
  const { io, opts, printer } = ctx;
  const config = await loadConfig(io.env, opts.config);
  const target = resolveTarget(config, opts, 'smtp', delivery.from);
  const { openSmtp } = await import('../clients/smtp.js');
  const smtp = await openSmtp(io, opts, target, delivery.localName ?? target.account?.ehlo);
  let accepted: RecipientLine[];
  let rejected: RecipientLine[];
  let response: { code: number; enhancedStatus?: string | undefined; text: string; queueId?: string | undefined };
  try {
    try {
      const result = await smtp.sendMail({
        from: delivery.from,
        to: delivery.to,
        message: delivery.message,
        ...(delivery.dsn ? { dsn: delivery.dsn } : {}),
        ...(delivery.requireTLS ? { requireTLS: true } : {}),
      });
      accepted = result.accepted;
      rejected = result.rejected;
      response = result.response;
    } catch (error) {
      const refused = (error as { errors?: Array<{ recipient: string; reply: { code: number; enhancedStatus?: string; text: string } }> }).errors;
      if (MailError.hasCode(error, 'SMTP_RECIPIENTS_REFUSED') && Array.isArray(refused)) {
        const refusals = refused.map((e) => ({ address: e.recipient, code: e.reply.code, enhancedStatus: e.reply.enhancedStatus, text: e.reply.text }));
        printer.result({ ok: false, server: `${target.server.host}:${target.server.port}`, from: delivery.from, accepted: [], rejected: refusals, error: { code: error.code, message: error.message } });
        for (const r of refusals) printer.error(`rejected ${describe(r)}`);
      }
      if (MailError.hasCode(error, 'SMTP_OUTCOME_UNKNOWN')) {
        printer.warn('the connection was lost after the message was sent: the server may have accepted it; check before sending it again');
      }
      throw error;
    }
    await smtp.quit().catch(() => undefined);
  } finally {
    await smtp.close().catch(() => undefined);
  }
  printer.result({
    ok: rejected.length === 0,
    server: `${target.server.host}:${target.server.port}`,
    account: target.account?.name ?? null,
    from: delivery.from,
    messageId: delivery.messageId ?? null,
    accepted,
    rejected,
    response,
  });
  for (const r of accepted) printer.line(`accepted ${describe(r)}`);
  for (const r of rejected) printer.error(`rejected ${describe(r)}`);
  printer.info(escapeText(`message: ${response.code} ${response.enhancedStatus ?? ''} ${response.text}`.replace(/\s+/g, ' ').trim()));
  if (rejected.length === 0) return EX.OK;
  // Partial delivery: the accepted recipients have the message; the exit code tells the rest.
  return rejected.every((r) => r.code >= 400 && r.code < 500) ? EX.TEMPFAIL : EX.DATAERR;
}
