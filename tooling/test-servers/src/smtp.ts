// Default SMTP replies (RFC 5321, ESMTP extensions) and state transitions for the fake server.
// State changes follow the reply actually sent, so a scripted `250` to RCPT still adds the
// recipient and a scripted `550` does not.
import { type Action, act } from './actions.js';
import { type DriverConfig, DEFAULT_EHLO_EXTENSIONS, offersStartTls } from './config.js';
import type { Observation, ProtocolDriver, SessionView } from './engine.js';
import { SASL_MECHANISMS, type SaslOutcome, type SaslState, saslStart, saslStep } from './sasl.js';
import type { Command } from './script.js';

/** Per-connection SMTP state (`ctx.state` in handlers). */
export interface SmtpState {
  /** EHLO/HELO argument once accepted. */
  helo: string | undefined;
  from: string | undefined;
  /** MAIL FROM parameters after the address (e.g. `BODY=8BITMIME SMTPUTF8`). */
  mailParams: string;
  rcpts: string[];
  /** Authenticated user name. */
  user: string | undefined;
  sasl: SaslState | undefined;
  bdat: Buffer[];
}

/** A message the server received (accepted or not). */
export interface ReceivedMessage {
  readonly connection: number;
  readonly tls: boolean;
  readonly from: string;
  readonly mailParams: string;
  readonly to: readonly string[];
  readonly via: 'DATA' | 'BDAT';
  /** Bytes exactly as sent: DATA body dot-stuffed without the final `.\r\n`, or the BDAT chunks joined. */
  readonly raw: Buffer;
  /** The message content: DATA unstuffed (RFC 5321 §4.5.2), BDAT as is. */
  readonly content: Buffer;
  /** Whether the final reply was 2xx. */
  readonly accepted: boolean;
}

const line = (text: string): Action => act.write(`${text}\r\n`);
const multi = (code: number, lines: readonly string[]): Action =>
  act.write(lines.map((l, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join(''));

/** `<addr>` out of `FROM:<addr> params` / `TO:<addr> params`. */
export function parsePath(args: string): { address: string; params: string } {
  const m = /^(?:FROM|TO):\s*<([^>]*)>\s*(.*)$/i.exec(args);
  return m ? { address: m[1]!, params: m[2]! } : { address: args, params: '' };
}

/** Undo SMTP dot-stuffing of a DATA body. */
export function unstuff(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let start = 0;
  while (start < raw.length) {
    const lf = raw.indexOf(0x0a, start);
    const end = lf < 0 ? raw.length : lf + 1;
    out.push(raw.subarray(raw[start] === 0x2e ? start + 1 : start, end));
    start = end;
  }
  return Buffer.concat(out);
}

/** A fresh SMTP session state (also after STARTTLS, RFC 3207 §4.2). */
export function newSmtpState(): SmtpState {
  return { helo: undefined, from: undefined, mailParams: '', rcpts: [], user: undefined, sasl: undefined, bdat: [] };
}

function resetEnvelope(s: SmtpState): void {
  s.from = undefined;
  s.mailParams = '';
  s.rcpts = [];
  s.bdat = [];
}

/** Keep the authenticated name on the exchange so `observe` can adopt it on 235. */
function remember(state: SaslState, o: SaslOutcome): SaslOutcome {
  if (o.kind === 'ok') state.user = o.user;
  return o;
}

function saslReply(o: SaslOutcome): Action {
  switch (o.kind) {
    case 'continue': return line(`334 ${o.challenge.toString('base64')}`);
    case 'ok': return line('235 2.7.0 Authentication successful');
    case 'fail': return line('535 5.7.8 Error: authentication failed');
    case 'abort': return line('501 5.7.0 Authentication aborted');
  }
}

/** The SMTP protocol driver; `messages` receives every DATA/BDAT message. */
export function smtpDriver(config: DriverConfig, messages: ReceivedMessage[]): ProtocolDriver<SmtpState> {
  let queued = 0;
  const record = (s: SessionView<SmtpState>, via: 'DATA' | 'BDAT', raw: Buffer, ok: boolean): void => {
    const { from = '', mailParams, rcpts } = s.state;
    messages.push({ connection: s.connection, tls: s.tls, from, mailParams, to: [...rcpts], via, raw,
      content: via === 'DATA' ? unstuff(raw) : raw, accepted: ok });
    resetEnvelope(s.state);
  };
  return {
    payload(cmd: Command) {
      if (cmd.verb !== 'BDAT') return undefined;
      const m = /^(\d{1,9})( +LAST)? *$/i.exec(cmd.args);
      return m ? { size: Number(m[1]), last: m[2] !== undefined } : undefined;
    },

    reply(cmd, s, body): Action[] {
      const st = s.state;
      switch (cmd.verb) {
        case 'GREETING': return [line(`220 ${config.hostname} ESMTP fake server`)];
        case 'EHLO': {
          const ext = [...(config.extensions ?? DEFAULT_EHLO_EXTENSIONS), ...(offersStartTls(config, s.tls) ? ['STARTTLS'] : [])];
          return [multi(250, [`${config.hostname} greets ${cmd.args}`, ...ext])];
        }
        case 'HELO': return [line(`250 ${config.hostname}`)];
        case 'MAIL': return [line(st.from !== undefined ? '503 5.5.1 Error: nested MAIL command' : '250 2.1.0 Ok')];
        case 'RCPT': return [line(st.from === undefined ? '503 5.5.1 Error: need MAIL command' : '250 2.1.5 Ok')];
        case 'DATA': return [line(st.rcpts.length === 0 ? '554 5.5.1 Error: no valid recipients' : '354 End data with <CR><LF>.<CR><LF>')];
        case 'DATA_END': return [line(`250 2.0.0 Ok: queued as FAKE${s.connection}Q${++queued}`)];
        case 'BDAT':
          if (!body) return [line('501 5.5.4 Syntax: BDAT count [LAST]')];
          if (st.rcpts.length === 0) return [line('554 5.5.1 Error: no valid recipients')];
          return [line(/LAST/i.test(cmd.args) ? `250 2.0.0 Ok: queued as FAKE${s.connection}Q${++queued}` : `250 2.0.0 Ok: ${body.length} bytes`)];
        case 'RSET': case 'NOOP': return [line('250 2.0.0 Ok')];
        case 'VRFY': return [line('252 2.0.0 Cannot VRFY user')];
        case 'QUIT': return [line('221 2.0.0 Bye')];
        case 'STARTTLS':
          if (s.tls) return [line('554 5.5.1 Error: TLS already active')];
          return [line(config.security === 'starttls' ? '220 2.0.0 Ready to start TLS' : '502 5.5.1 Error: command not implemented')];
        case 'AUTH': {
          if (st.user !== undefined) return [line('503 5.5.1 Error: already authenticated')];
          const [mech = '', initial] = cmd.args.split(' ');
          if (!(SASL_MECHANISMS as readonly string[]).includes(mech.toUpperCase())) return [line('504 5.5.4 Unsupported authentication mechanism')];
          const started = saslStart(mech, initial, config.users);
          st.sasl = started.state;
          return [saslReply(remember(started.state, started.outcome))];
        }
        case 'AUTH_RESPONSE':
          return [saslReply(st.sasl ? remember(st.sasl, saslStep(st.sasl, cmd.line, config.users)) : { kind: 'fail' })];
        default: return [line('502 5.5.2 Error: command not recognized')];
      }
    },

    observe(cmd, reply, s, body): Observation {
      const st = s.state;
      const code = reply.subarray(0, 3).toString('latin1');
      const ok = code.startsWith('2');
      switch (cmd.verb) {
        case 'EHLO': case 'HELO':
          if (ok) { st.helo = cmd.args; resetEnvelope(st); }
          return {};
        case 'MAIL':
          if (ok) { const p = parsePath(cmd.args); st.from = p.address; st.mailParams = p.params; }
          return {};
        case 'RCPT':
          if (ok) st.rcpts.push(parsePath(cmd.args).address);
          return {};
        case 'RSET':
          if (ok) resetEnvelope(st);
          return {};
        case 'DATA': return code === '354' ? { mode: { kind: 'data' } } : {};
        case 'DATA_END': record(s, 'DATA', body ?? Buffer.alloc(0), ok); return {};
        case 'BDAT':
          if (!body) return {};
          if (!ok) { resetEnvelope(st); return {}; }
          st.bdat.push(body);
          if (/LAST/i.test(cmd.args)) record(s, 'BDAT', Buffer.concat(st.bdat), ok);
          return {};
        case 'STARTTLS': return { upgrade: code === '220' };
        case 'AUTH': case 'AUTH_RESPONSE':
          if (code === '334') {
            st.sasl ??= { mech: cmd.args.split(' ')[0]!.toUpperCase(), step: 0 };
            return { mode: { kind: 'sasl' } };
          }
          if (code === '235') st.user = st.sasl?.user ?? '';
          st.sasl = undefined;
          return { mode: { kind: 'line' } };
        case 'QUIT': return { close: code === '221' };
        default: return {};
      }
    },

    upgraded(s) {
      Object.assign(s.state, newSmtpState());
    },
  };
}
