/**
 * `mailctl send`: compose a message (or take a complete one with --message) and send it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compose } from '../compose/compose.js';
import { bareAddress, envelopeFromHeaders, stripBcc } from '../compose/headers.js';
import type { CommandContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { EX } from '../exit-codes.js';
import { readAll } from '../io.js';
import { loadConfig } from '../config/file.js';
import { chooseAccount } from '../config/account.js';
import { deliver, parseNotify, type Delivery, type DsnRequest } from './deliver.js';

interface SendOptions {
  from?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
  body?: string;
  bodyFile?: string;
  htmlFile?: string;
  attach?: string[];
  header?: string[];
  message?: string;
  envelopeFrom?: string;
  dsnNotify?: string;
  dsnRet?: 'full' | 'hdrs';
  envid?: string;
  requireTls?: boolean;
  priority?: 'high' | 'normal' | 'low';
  ehlo?: string;
  dryRun?: boolean;
}

async function readInput(ctx: CommandContext, file: string, what: string): Promise<Buffer> {
  if (file === '-') return readAll(ctx.io.stdin);
  try {
    return await readFile(resolve(ctx.io.cwd, file));
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CliError(code === 'ENOENT' ? EX.NOINPUT : EX.IOERR, `cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

/** Runs `mailctl send`. */
export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.opts as CommandContext['opts'] & SendOptions;
  const to = o.to ?? [];
  const cc = o.cc ?? [];
  const bcc = o.bcc ?? [];
  const given = [...to, ...cc, ...bcc];
  let delivery: Delivery;
  if (o.message !== undefined) {
    if (o.subject !== undefined || o.body !== undefined || o.bodyFile !== undefined || o.htmlFile !== undefined || (o.attach ?? []).length > 0 || (o.header ?? []).length > 0) {
      throw usageError('--message sends a complete message; --subject, --body, --attach and --header do not apply');
    }
    const raw = await readInput(ctx, o.message, 'message file');
    const fromHeaders = envelopeFromHeaders(raw);
    const from = o.envelopeFrom ?? (o.from !== undefined ? bareAddress(o.from) : fromHeaders.from);
    const recipients = given.length > 0 ? given.map(bareAddress) : fromHeaders.to;
    if (from === undefined) throw new CliError(EX.DATAERR, 'the message has no From header; give --from');
    if (recipients.length === 0) throw new CliError(EX.DATAERR, 'no recipients: the message has no To/Cc/Bcc; give --to');
    delivery = { from, to: recipients, message: stripBcc(raw) };
  } else {
    let from = o.from;
    if (from === undefined) {
      const config = await loadConfig(ctx.io.env, o.config);
      from = chooseAccount(config, o.account)?.from;
    }
    if (from === undefined) throw usageError('--from is required (or set from in the account)');
    if (given.length === 0) throw usageError('at least one --to, --cc or --bcc is required');
    if (o.body !== undefined && o.bodyFile !== undefined) throw usageError('give --body or --body-file, not both');
    const text = o.body ?? (o.bodyFile !== undefined ? await readInput(ctx, o.bodyFile, 'body file') : undefined);
    const html = o.htmlFile !== undefined ? await readInput(ctx, o.htmlFile, 'HTML file') : undefined;
    for (const file of o.attach ?? []) await readInput(ctx, file, 'attachment'); // clear error before composing
    const composed = await compose({
      from,
      to,
      cc,
      bcc,
      ...(o.subject !== undefined ? { subject: o.subject } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
      attachments: (o.attach ?? []).map((f) => resolve(ctx.io.cwd, f)),
      headers: o.header ?? [],
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
    });
    delivery = { from: o.envelopeFrom ?? composed.envelope.from, to: composed.envelope.to, message: composed.message, messageId: composed.messageId };
  }
  const dsn: DsnRequest = {};
  if (o.dsnNotify !== undefined) {
    const notify = parseNotify(o.dsnNotify);
    if (notify !== undefined) dsn.notify = notify;
  }
  if (o.dsnRet !== undefined) dsn.ret = o.dsnRet === 'full' ? 'FULL' : 'HDRS';
  if (o.envid !== undefined) dsn.envid = o.envid;
  if (Object.keys(dsn).length > 0) delivery.dsn = dsn;
  if (o.requireTls) delivery.requireTLS = true;
  if (o.ehlo !== undefined) delivery.localName = o.ehlo;

  if (o.dryRun) {
    ctx.printer.result({ from: delivery.from, to: delivery.to, messageId: delivery.messageId ?? null, message: delivery.message.toString('utf8') });
    if (!ctx.printer.json) {
      ctx.io.stderr.write(`envelope: from <${delivery.from}> to ${delivery.to.map((a) => `<${a}>`).join(', ')}\n`);
      ctx.printer.raw(delivery.message);
    }
    return EX.OK;
  }
  return deliver(ctx, delivery);
}
