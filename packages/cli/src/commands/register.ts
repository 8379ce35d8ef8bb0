/**
 * Declares every subcommand, its options and its help text. Implementations live in one
 * module per command and are imported only when that command runs.
 */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';

type Runner = (ctx: CommandContext, ...args: unknown[]) => Promise<number>;

/** Helpers main.ts hands to the registration. */
export interface RegisterHelpers {
  addCommonOptions: (cmd: Command) => Command;
  run: (load: () => Promise<{ run: Runner }>) => (...args: unknown[]) => Promise<void>;
  collect: (value: string, previous: string[] | undefined) => string[];
  positiveNumber: (value: string) => number;
}

const examples = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;

/** Adds all subcommands to `program`. */
export function registerCommands(program: Command, h: RegisterHelpers): void {
  h.addCommonOptions(program.command('send'))
    .description('compose and send a message, or send a complete one (--message)')
    .option('-f, --from <address>', 'sender (From header and envelope sender)')
    .option('-t, --to <address>', 'recipient (repeatable)', h.collect)
    .option('--cc <address>', 'Cc recipient (repeatable)', h.collect)
    .option('--bcc <address>', 'Bcc recipient, not shown in headers (repeatable)', h.collect)
    .option('-s, --subject <text>', 'subject')
    .option('-b, --body <text>', 'plain text body')
    .option('--body-file <file>', 'plain text body from a file (- for stdin)')
    .option('--html-file <file>', 'HTML body from a file')
    .option('--attach <file>', 'attach a file (repeatable)', h.collect)
    .option('-H, --header <"Name: value">', 'extra header (repeatable)', h.collect)
    .option('-m, --message <file>', 'send this complete RFC 5322 message (- for stdin)')
    .option('--envelope-from <address>', 'envelope sender (MAIL FROM) if it differs from From')
    .option('--dsn-notify <list>', 'DSN NOTIFY: never, or a comma list of success,failure,delay (RFC 3461)')
    .addOption(new Option('--dsn-ret <what>', 'DSN RET: full or hdrs').choices(['full', 'hdrs']))
    .option('--envid <id>', 'DSN ENVID')
    .option('--require-tls', 'REQUIRETLS: every hop must use TLS (RFC 8689)')
    .addOption(new Option('--priority <level>', 'message priority').choices(['high', 'normal', 'low']))
    .option('--ehlo <name>', 'name to send in EHLO')
    .option('--dry-run', 'print the message that would be sent, and do not connect')
    .addHelpText(
      'after',
      examples([
        "mailctl send --from me@example.org --to you@example.org --subject 'Report' --body-file r.txt --attach r.pdf",
        'mailctl send --message mail.eml --server smtps://me@mail.example.org',
        'cat mail.eml | mailctl send --message - --json',
      ]),
    )
    .action(h.run(() => import('./send.js')));

  program
    .command('sendmail')
    .description('the sendmail(8) interface: -t, -f ADDR, -F NAME, -i/-oi, recipients as arguments, message on stdin')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('--help', 'show this help')
    .addHelpText('after', `\nAlso accepted: -r ADDR (= -f), -N NOTIFY, -R full|hdrs, -V ENVID, --account NAME, --config FILE, --server URL,\n--user NAME, --password-env VAR, --ca FILE, --pin SHA256, --security MODE, --timeout S, --debug[=N].\nIgnored: -oXXX options, -bm, -odi/-odb, -v, -U, -m. Exit codes as for \`mailctl --help\`.\n`)
    .addHelpText('after', examples(['mailctl sendmail -t < mail.eml', 'ln -s $(which mailctl) ~/bin/sendmail && sendmail -oi bob@example.org < mail.eml']))
    .action(() => {
      /* handled before parsing in main() */
    });

  h.addCommonOptions(program.command('fetch'))
    .description('download mail by POP3 into a Maildir, an mbox file or an MDA command')
    .option('--maildir <dir>', 'deliver into this Maildir (created if missing)')
    .option('--mbox <file>', 'append to this mbox file (mboxrd, locked)')
    .option('--mda <command>', 'pipe each message into this shell command')
    .option('-k, --keep', 'leave messages on the server (default)')
    .option('-d, --delete', 'delete messages from the server once they are stored durably')
    .option('-n, --only-new', 'fetch only messages not fetched before (UIDL state)')
    .option('--state <file>', 'UIDL state file (default: per account under $XDG_STATE_HOME/mailctl)')
    .option('--max-size <bytes>', 'messages larger than this are not downloaded', h.positiveNumber)
    .addOption(new Option('--oversize <action>', 'what to do with oversized messages').choices(['skip', 'delete']).default('skip'))
    .option('--batch <n>', 'messages per durable batch (one grouped fsync; default 500)', h.positiveNumber)
    .addHelpText(
      'after',
      examples([
        'mailctl fetch --maildir ~/Mail/inbox --delete',
        'mailctl fetch --account home --mbox ~/mbox --only-new',
        "mailctl fetch --mda 'procmail -d $USER' --max-size 10000000 --oversize skip",
      ]),
    )
    .action(h.run(() => import('./fetch.js')));

  h.addCommonOptions(program.command('probe'))
    .description('inspect a server: greeting, capabilities before and after TLS, certificates, timings (changes nothing)')
    .argument('<url>', 'smtp://, smtps://, submission://, pop3:// or pop3s:// URL')
    .option('--ehlo <name>', 'name to send in EHLO')
    .addHelpText('after', examples(['mailctl probe smtp://mail.example.org:587', 'mailctl probe pop3s://pop.example.org --json']))
    .action(h.run(() => import('./probe.js')));

  h.addCommonOptions(program.command('pop3'))
    .description('one POP3 command: stat, list [N], uidl [N], top N [LINES], retr N, dele N..., capa')
    .argument('<verb>', 'stat | list | uidl | top | retr | dele | capa')
    .argument('[args...]', 'message numbers and line count')
    .addHelpText('after', examples(['mailctl pop3 stat --account home', 'mailctl pop3 top 1 0 --server pop3s://me@pop.example.org', 'mailctl pop3 dele 3 4 --json']))
    .action(h.run(() => import('./pop3.js')));

  // serve has its own --user NAME:PASSWORD (dev logins), so not the common options.
  program
    .command('serve')
    .description('run the dev mail server: SMTP in, a Maildir per user, POP3 out (loopback by default)')
    .requiredOption('--data <dir>', 'data directory (Maildirs and TLS certificate)')
    .option('--smtp <host:port>', 'SMTP listen address', '127.0.0.1:2525')
    .option('--pop3 <host:port>', 'POP3 listen address', '127.0.0.1:1110')
    .option('--user <name:password>', 'a dev login (repeatable); default dev:dev', h.collect)
    .option('--debug [level]', 'protocol trace on stderr, secrets redacted')
    .option('--json', 'print the listening addresses as one JSON line')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', examples(['mailctl serve --data ./maildata', 'mailctl serve --data /tmp/m --smtp 127.0.0.1:0 --pop3 127.0.0.1:0 --user alice:secret']))
    .action(h.run(() => import('./serve.js')));

  h.addCommonOptions(program.command('demo'))
    .description('start the dev server in-process, send a message by SMTP and fetch it back by POP3')
    .addHelpText('after', examples(['mailctl demo', 'mailctl demo --json']))
    .action(h.run(() => import('./demo.js')));
}
