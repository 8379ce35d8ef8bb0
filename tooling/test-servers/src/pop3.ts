// Default POP3 replies (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034) over an
// in-memory mailbox shared by the connections of one server. State follows the reply sent.
import { createHash } from 'node:crypto';
import { type Action, act } from './actions.js';
import { type DriverConfig, DEFAULT_CAPA, offersStartTls } from './config.js';
import type { Observation, ProtocolDriver } from './engine.js';
import { SASL_MECHANISMS, type SaslOutcome, type SaslState, saslStart, saslStep } from './sasl.js';

/** A message in the fake maildrop. Use CRLF line endings in `content`. */
export interface Pop3Message {
  readonly uid: string;
  readonly content: Buffer;
}

/** Per-connection POP3 state (`ctx.state` in handlers). */
export interface Pop3State {
  phase: 'authorization' | 'transaction';
  user: string | undefined;
  /** The APOP timestamp of this connection's greeting (RFC 1939 §7). */
  readonly timestamp: string;
  /** The maildrop as locked at login (message numbers are 1-based indexes). */
  snapshot: Pop3Message[];
  /** Message numbers marked by DELE. */
  deleted: Set<number>;
  sasl: SaslState | undefined;
}

const line = (text: string): Action => act.write(`${text}\r\n`);

/** Dot-stuff a message and append the terminating `.CRLF` (RFC 1939 §3). */
export function stuffMultiline(content: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  while (start < content.length) {
    const lf = content.indexOf(0x0a, start);
    const end = lf < 0 ? content.length : lf + 1;
    if (content[start] === 0x2e) parts.push(Buffer.from('.'));
    parts.push(content.subarray(start, end));
    start = end;
  }
  if (content.length && content[content.length - 1] !== 0x0a) parts.push(Buffer.from('\r\n'));
  parts.push(Buffer.from('.\r\n'));
  return Buffer.concat(parts);
}

/** Headers, the blank line and the first `n` body lines (TOP, RFC 1939 §7). */
export function topOf(content: Buffer, n: number): Buffer {
  const sep = content.indexOf('\r\n\r\n');
  if (sep < 0) return content;
  let end = sep + 4;
  for (let i = 0; i < n && end < content.length; i++) {
    const lf = content.indexOf(0x0a, end);
    end = lf < 0 ? content.length : lf + 1;
  }
  return content.subarray(0, end);
}

/** A fresh POP3 session state with this connection's APOP timestamp. */
export function newPop3State(connection: number): Pop3State {
  return {
    phase: 'authorization', user: undefined, timestamp: `<${process.pid}.${connection}.${Date.now()}@localhost>`,
    snapshot: [], deleted: new Set(), sasl: undefined,
  };
}

function saslReply(o: SaslOutcome): Action {
  switch (o.kind) {
    case 'continue': return line(`+ ${o.challenge.toString('base64')}`);
    case 'ok': return line('+OK Logged in.');
    case 'fail': return line('-ERR [AUTH] Authentication failed.');
    case 'abort': return line('-ERR Authentication aborted.');
  }
}

/** The POP3 protocol driver over the shared `mailbox` (deletions are committed at QUIT). */
export function pop3Driver(config: DriverConfig, mailbox: Pop3Message[]): ProtocolDriver<Pop3State> {
  const msg = (st: Pop3State, arg: string): Pop3Message | string => {
    const n = Number(arg);
    if (!/^\d+$/.test(arg) || n < 1 || n > st.snapshot.length) return '-ERR There\'s no message ' + arg + '.';
    if (st.deleted.has(n)) return '-ERR Message is deleted.';
    return st.snapshot[n - 1]!;
  };
  const live = (st: Pop3State): [number, Pop3Message][] =>
    st.snapshot.map((m, i): [number, Pop3Message] => [i + 1, m]).filter(([n]) => !st.deleted.has(n));
  const listing = (st: Pop3State, arg: string, show: (n: number, m: Pop3Message) => string): Action => {
    if (arg) {
      const m = msg(st, arg);
      return line(typeof m === 'string' ? m : `+OK ${show(Number(arg), m)}`);
    }
    return act.write(['+OK', ...live(st).map(([n, m]) => show(n, m)), '.'].map((l) => `${l}\r\n`).join(''));
  };
  const checkApop = (st: Pop3State, name: string, digest: string): boolean => {
    if (config.users === undefined) return /^[0-9a-f]{32}$/.test(digest);
    const pass = config.users[name];
    return pass !== undefined && createHash('md5').update(st.timestamp + pass).digest('hex') === digest;
  };
  const transaction = new Set(['STAT', 'LIST', 'UIDL', 'RETR', 'TOP', 'DELE', 'RSET', 'NOOP']);

  return {
    reply(cmd, s): Action[] {
      const st = s.state;
      const args = cmd.args.split(' ').filter(Boolean);
      if (transaction.has(cmd.verb) && st.phase !== 'transaction') return [line('-ERR Unknown command.')];
      switch (cmd.verb) {
        case 'GREETING': return [line(`+OK fake POP3 server ready ${st.timestamp}`)];
        case 'CAPA': {
          const caps = [...(config.extensions ?? DEFAULT_CAPA), ...(offersStartTls(config, s.tls) ? ['STLS'] : [])];
          return [act.write(['+OK Capability list follows', ...caps, '.'].map((l) => `${l}\r\n`).join(''))];
        }
        case 'USER': return [line(st.phase === 'transaction' ? '-ERR Already logged in.' : '+OK')];
        case 'PASS': {
          if (st.user === undefined || st.phase === 'transaction') return [line('-ERR No username given.')];
          const ok = config.users === undefined || config.users[st.user] === cmd.args;
          return [line(ok ? '+OK Logged in.' : '-ERR [AUTH] Authentication failed.')];
        }
        case 'APOP': {
          const ok = st.phase === 'authorization' && args.length === 2 && checkApop(st, args[0]!, args[1]!);
          return [line(ok ? '+OK Logged in.' : '-ERR [AUTH] Authentication failed.')];
        }
        case 'AUTH': {
          if (args.length === 0) return [act.write(['+OK', ...SASL_MECHANISMS, '.'].map((l) => `${l}\r\n`).join(''))];
          if (st.phase === 'transaction') return [line('-ERR Already logged in.')];
          if (!(SASL_MECHANISMS as readonly string[]).includes(args[0]!.toUpperCase())) return [line('-ERR Unsupported authentication mechanism.')];
          const started = saslStart(args[0]!, args[1], config.users);
          st.sasl = started.state;
          if (started.outcome.kind === 'ok') st.user = started.outcome.user;
          return [saslReply(started.outcome)];
        }
        case 'AUTH_RESPONSE': {
          const o: SaslOutcome = st.sasl ? saslStep(st.sasl, cmd.line, config.users) : { kind: 'fail' };
          if (o.kind === 'ok') st.user = o.user;
          return [saslReply(o)];
        }
        case 'STLS':
          if (s.tls) return [line('-ERR TLS already active.')];
          if (config.security !== 'starttls' || st.phase !== 'authorization') return [line('-ERR TLS not available.')];
          return [line('+OK Begin TLS negotiation now.')];
        case 'STAT': {
          const l = live(st);
          return [line(`+OK ${l.length} ${l.reduce((n, [, m]) => n + m.content.length, 0)}`)];
        }
        case 'LIST': return [listing(st, args[0] ?? '', (n, m) => `${n} ${m.content.length}`)];
        case 'UIDL': return [listing(st, args[0] ?? '', (n, m) => `${n} ${m.uid}`)];
        case 'RETR': case 'TOP': {
          const m = msg(st, args[0] ?? '');
          if (typeof m === 'string') return [line(m)];
          if (cmd.verb === 'TOP' && !/^\d+$/.test(args[1] ?? '')) return [line('-ERR Invalid number of lines.')];
          const content = cmd.verb === 'TOP' ? topOf(m.content, Number(args[1])) : m.content;
          return [act.write(Buffer.concat([Buffer.from(`+OK ${m.content.length} octets\r\n`), stuffMultiline(content)]))];
        }
        case 'DELE': {
          const m = msg(st, args[0] ?? '');
          return [line(typeof m === 'string' ? m : '+OK Marked to be deleted.')];
        }
        case 'RSET': return [line(`+OK ${st.snapshot.length} messages.`)];
        case 'NOOP': return [line('+OK')];
        case 'QUIT': return [line('+OK Logging out.')];
        default: return [line('-ERR Unknown command.')];
      }
    },

    observe(cmd, reply, s): Observation {
      const st = s.state;
      const text = reply.toString('latin1');
      const ok = text.startsWith('+OK');
      switch (cmd.verb) {
        case 'USER': if (ok) st.user = cmd.args; return {};
        case 'APOP': if (ok) st.user = cmd.args.split(' ')[0]; break;
        case 'PASS': break;
        case 'AUTH': case 'AUTH_RESPONSE':
          if (text.startsWith('+ ')) {
            st.sasl ??= { mech: cmd.args.split(' ')[0]!.toUpperCase(), step: 0 };
            return { mode: { kind: 'sasl' } };
          }
          st.sasl = undefined;
          if (ok && cmd.args !== '') break;
          return { mode: { kind: 'line' } };
        case 'STLS': return { upgrade: ok };
        case 'DELE': if (ok) st.deleted.add(Number(cmd.args.trim())); return {};
        case 'RSET': if (ok) st.deleted.clear(); return {};
        case 'QUIT':
          if (ok && st.phase === 'transaction') {
            // RFC 1939 §6: the UPDATE state removes the marked messages.
            const gone = new Set([...st.deleted].map((n) => st.snapshot[n - 1]));
            for (let i = mailbox.length - 1; i >= 0; i--) if (gone.has(mailbox[i])) mailbox.splice(i, 1);
          }
          return { close: ok };
        default: return {};
      }
      // Successful login (PASS, APOP, AUTH): lock the maildrop (RFC 1939 §4).
      if (ok && st.phase === 'authorization') {
        st.phase = 'transaction';
        st.snapshot = [...mailbox];
        st.deleted = new Set();
      }
      return { mode: { kind: 'line' } };
    },

    upgraded(s) {
      s.state.user = undefined;
      s.state.sasl = undefined;
    },
  };
}
