/**
 * `mailctl pop3 VERB [ARGS]`: one POP3 command for inspection (stat, list, uidl, top, retr,
 * dele, capa). `dele` ends with QUIT, since deletions only happen then (RFC 1939 §6).
 */
import { resolveTarget } from '../config/account.js';
import { loadConfig } from '../config/file.js';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { EX } from '../exit-codes.js';
import { escapeLines, escapeText } from '../output/escape.js';

const VERBS = ['stat', 'list', 'uidl', 'top', 'retr', 'dele', 'capa'] as const;
type Verb = (typeof VERBS)[number];

function msgNumber(text: string | undefined, what = 'message number'): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(n) || (what === 'message number' && n < 1)) {
    throw usageError(`expected a ${what}, got "${text ?? ''}"`);
  }
  return n;
}

/** Runs `mailctl pop3`. */
export async function run(ctx: CommandContext, verbArg: unknown, argsArg: unknown): Promise<number> {
  const { io, opts, printer } = ctx;
  const verb = String(verbArg).toLowerCase() as Verb;
  const args = (argsArg as string[] | undefined) ?? [];
  if (!VERBS.includes(verb)) throw usageError(`unknown POP3 verb "${String(verbArg)}" (use ${VERBS.join(', ')})`);
  const config = await loadConfig(io.env, opts.config);
  const target = resolveTarget(config, opts, 'pop3');
  const { openPop3 } = await import('../clients/pop3.js');
  // Validate arguments before connecting.
  const numbers = verb === 'dele' || verb === 'retr' || verb === 'top' ? args.slice(0, verb === 'top' ? 1 : undefined).map((a) => msgNumber(a)) : [];
  if ((verb === 'dele' || verb === 'retr' || verb === 'top') && numbers.length === 0) throw usageError(`pop3 ${verb} needs a message number`);
  const one = (verb === 'list' || verb === 'uidl') && args[0] !== undefined ? msgNumber(args[0]) : undefined;
  const lines = verb === 'top' ? msgNumber(args[1] ?? '0', 'line count') : 0;

  const pop = await openPop3(io, opts, target);
  try {
    switch (verb) {
      case 'stat': {
        const s = await pop.stat();
        printer.result(s);
        printer.line(`${s.count} messages, ${s.size} octets`);
        break;
      }
      case 'list': {
        const entries = one === undefined ? await pop.list() : [await pop.list(one)];
        printer.result(entries);
        for (const e of entries) printer.line(`${e.msg} ${e.size}`);
        break;
      }
      case 'uidl': {
        const entries = one === undefined ? await pop.uidl() : [await pop.uidl(one)];
        printer.result(entries);
        for (const e of entries) printer.line(`${e.msg} ${escapeText(e.uid)}`);
        break;
      }
      case 'top':
      case 'retr': {
        const n = numbers[0] as number;
        const data = verb === 'top' ? await pop.top(n, lines) : await pop.retr(n);
        printer.result({ msg: n, size: data.length, message: data.toString('utf8') });
        // Raw bytes for pipes and files; escaped when a person reads them on a terminal.
        if (!printer.json && !printer.quiet) printer.raw(io.stdout.isTTY === true ? escapeLines(data.toString('utf8')) : data);
        break;
      }
      case 'dele': {
        for (const n of numbers) await pop.dele(n);
        await pop.quit();
        printer.result({ deleted: numbers });
        printer.line(`deleted ${numbers.join(', ')}`);
        return EX.OK;
      }
      case 'capa': {
        const caps = await pop.capa();
        printer.result(caps?.toJSON() ?? null);
        if (!caps) printer.line('(no CAPA)');
        for (const [name, params] of Object.entries(caps?.toJSON() ?? {})) printer.line(escapeText([name, ...params].join(' ')));
        break;
      }
    }
    await pop.quit();
  } finally {
    await pop.close().catch(() => undefined);
  }
  return EX.OK;
}
