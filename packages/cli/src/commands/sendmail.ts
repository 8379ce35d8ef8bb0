/**
 * The sendmail(8) interface (`mailctl sendmail ...` or a `sendmail` symlink), as msmtp and
 * Postfix implement it: message on stdin, recipients as arguments and/or from the headers
 * (-t), -f/-r sender, -F full name, -i/-oi, -N DSN notify, -V envid. Silent on success.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { bareAddress, envelopeFromHeaders, headerEnd, parseHeaders, stripBcc } from '../compose/headers.js';
import { loadConfig } from '../config/file.js';
import { chooseAccount } from '../config/account.js';
import { CliError, usageError } from '../errors.js';
import { EX } from '../exit-codes.js';
import { readAll, type CliIO } from '../io.js';
import type { CommonOptions } from '../options.js';
import { createPrinter } from '../output/printer.js';
import { deliver, parseNotify, type Delivery } from './deliver.js';

/** Parsed sendmail arguments. */
export interface SendmailArgs {
  readRecipients: boolean;
  ignoreDots: boolean;
  sender?: string;
  fullName?: string;
  notify?: string;
  ret?: 'FULL' | 'HDRS';
  envid?: string;
  recipients: string[];
  common: CommonOptions;
}

// Options that take a value, attached (-fADDR) or as the next argument (-f ADDR).
const WITH_VALUE = new Set(['f', 'r', 'F', 'N', 'V', 'R', 'C', 'B', 'L', 'h', 'O', 'X', 'q', 'p']);

/** Parses a sendmail command line. Unknown -o/-b modes are refused; harmless ones ignored. */
export function parseSendmailArgs(argv: string[]): SendmailArgs {
  const out: SendmailArgs = { readRecipients: false, ignoreDots: false, recipients: [], common: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.recipients.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--allow-plaintext-auth') {
      out.common.allowPlaintextAuth = true;
      continue;
    }
    const long = /^--(account|config|debug|server|user|password-env|timeout|ca|pin|security)(?:=(.*))?$/.exec(arg);
    if (long) {
      const name = long[1] as string;
      const value = long[2] ?? (name === 'debug' ? '1' : argv[++i]);
      if (value === undefined) throw usageError(`--${name} needs a value`);
      setLong(out.common, name, value);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.recipients.push(arg);
      continue;
    }
    const flag = arg[1] as string;
    if (WITH_VALUE.has(flag)) {
      const value = arg.length > 2 ? arg.slice(2) : argv[++i];
      if (value === undefined) throw usageError(`sendmail: -${flag} needs a value`);
      if (flag === 'f' || flag === 'r') out.sender = value;
      else if (flag === 'F') out.fullName = value;
      else if (flag === 'N') out.notify = value;
      else if (flag === 'V') out.envid = value;
      else if (flag === 'R') {
        const ret = value.toUpperCase();
        if (ret !== 'FULL' && ret !== 'HDRS') throw usageError('sendmail: -R takes full or hdrs');
        out.ret = ret;
      }
      continue;
    }
    if (arg === '-t') out.readRecipients = true;
    else if (arg === '-i' || arg === '-oi') out.ignoreDots = true;
    else if (arg.startsWith('-o') || arg === '-bm' || arg === '-v' || /^-od[a-z]$/.test(arg) || arg === '-U' || arg === '-m') {
      // -oem, -odi, -odb, -bm (deliver mail, the default), -v, -U (initial submission): no effect here.
    } else if (arg.startsWith('-b')) {
      throw usageError(`sendmail: mode ${arg} is not supported (only -bm, deliver a message)`);
    } else {
      throw usageError(`sendmail: unknown option ${arg}`);
    }
  }
  return out;
}

function setLong(common: CommonOptions, name: string, value: string): void {
  switch (name) {
    case 'account': common.account = value; break;
    case 'config': common.config = value; break;
    case 'debug': common.debug = Number(value); break;
    case 'server': common.server = value; break;
    case 'user': common.user = value; break;
    case 'password-env': common.passwordEnv = value; break;
    case 'ca': common.ca = value; break;
    case 'pin': common.pin = [...(common.pin ?? []), value]; break;
    case 'timeout': {
      const n = Number(value);
      if (!(n > 0)) throw usageError('--timeout needs a positive number of seconds');
      common.timeout = n;
      break;
    }
    case 'security':
      if (value !== 'tls' && value !== 'starttls' && value !== 'none') throw usageError('--security is tls, starttls or none');
      common.security = value;
      break;
    default:
      throw usageError(`unknown option --${name}`);
  }
}

/** Cuts the input at a line holding a single dot, as sendmail does without -i. */
export function cutAtDotLine(input: Buffer): Buffer {
  const m = /(^|\n)\.\r?\n|(^|\n)\.$/.exec(input.toString('latin1'));
  return m ? input.subarray(0, m.index + (m[1] ?? m[2] ?? '').length) : input;
}

/** Adds From, Date and Message-ID when the message lacks them (as sendmail does). */
export function completeHeaders(message: Buffer, from: string, fullName: string | undefined): Buffer {
  const names = new Set(parseHeaders(message).map((f) => f.name.toLowerCase()));
  const crlf = message.includes('\r\n');
  const nl = crlf ? '\r\n' : '\n';
  const add: string[] = [];
  if (!names.has('from')) add.push(`From: ${fullName ? `"${fullName.replace(/["\\\r\n]/g, '')}" ` : ''}<${from}>`);
  if (!names.has('date')) add.push(`Date: ${new Date().toUTCString().replace('GMT', '+0000')}`);
  if (!names.has('message-id')) add.push(`Message-ID: <${randomUUID()}@${from.split('@')[1] ?? 'localhost'}>`);
  if (add.length === 0) return message;
  // A message with no header block at all (no blank line): everything is body.
  const { end } = headerEnd(message);
  const body = end >= message.length && !/^[!-9;-~]+:/.test(message.toString('latin1')) ? Buffer.concat([Buffer.from(nl), message]) : message;
  return Buffer.concat([Buffer.from(add.map((h) => h + nl).join('')), body]);
}

/** Runs the sendmail interface; returns the exit code. */
export async function runSendmail(io: CliIO, argv: string[]): Promise<number> {
  const args = parseSendmailArgs(argv);
  const printer = createPrinter(io, { quiet: true });
  let input = await readAll(io.stdin);
  if (!args.ignoreDots) input = cutAtDotLine(input);
  const headers = envelopeFromHeaders(input);
  const config = await loadConfig(io.env, args.common.config);
  const account = chooseAccount(config, args.common.account, args.sender ?? headers.from);
  const from =
    (args.sender !== undefined ? bareAddress(args.sender) : undefined) ??
    headers.from ??
    (account?.from !== undefined ? bareAddress(account.from) : undefined) ??
    `${userInfo().username}@${hostname()}`;
  const recipients = [...new Set([...(args.readRecipients ? headers.to : []), ...args.recipients.map(bareAddress)])];
  if (recipients.length === 0) throw new CliError(EX.USAGE, 'sendmail: no recipients (give addresses or -t)');
  const delivery: Delivery = { from, to: recipients, message: stripBcc(completeHeaders(input, from, args.fullName)) };
  if (args.notify !== undefined || args.envid !== undefined || args.ret !== undefined) {
    delivery.dsn = {};
    if (args.ret !== undefined) delivery.dsn.ret = args.ret;
    if (args.notify !== undefined) {
      const notify = parseNotify(args.notify);
      if (notify !== undefined) delivery.dsn.notify = notify;
    }
    if (args.envid !== undefined) delivery.dsn.envid = args.envid;
  }
  const opts: CommonOptions = { ...args.common, ...(account ? { account: account.name } : {}) };
  return deliver({ io, opts, printer }, delivery);
}
