/**
 * The last envelope plan of a session, reused while every input that shapes it is the same.
 *
 * A session usually sends many messages from one sender to the same recipients with the same
 * options, and `planEnvelope` is a pure function of its inputs: planning again (BODY choice,
 * SIZE, SMTPUTF8 decision, MAIL FROM and RCPT TO formatting with their checks) gave the same
 * plan every time, and in a run of a few thousand messages that work, interpreted until V8
 * optimises it and then compiled on a background thread, was about a tenth of the CPU.
 *
 * Only the plain case is remembered: no DSN, no extra MAIL parameters, no REQUIRETLS, no
 * forced BODY or SMTPUTF8, recipients given as strings, and a message read whole without NUL
 * or over-long lines. For it the plan depends only on the values compared in
 * {@link EnvelopeMemo.plan}; anything else is planned afresh, exactly as before.
 */
import { MAX_TEXT_LINE_OCTETS } from '@mail/transport';
import type { PreparedBody } from './body.js';
import { planEnvelope, type Addresses, type EnvelopePlan } from './envelope.js';
import type { Capabilities } from './protocol/ehlo.js';
import type { SendMailOptions } from './result.js';

/** One session's last plain plan and what it was made from. Internal. */
export class EnvelopeMemo {
  #plan: EnvelopePlan | undefined;
  #caps: Capabilities | undefined;
  #chunking = false;
  #from = '';
  #to: readonly string[] = [];
  #ascii = false;
  #size = 0;
  #has8bit = false;
  #headers8bit = false;

  /** `planEnvelope(options, addresses, body, caps, session)`, reused when nothing differs. */
  plan(options: SendMailOptions, addresses: Addresses, body: PreparedBody, caps: Capabilities, session: { secure: boolean; chunking: boolean }): EnvelopePlan {
    if (!plain(options, addresses, body)) return planEnvelope(options, addresses, body, caps, session);
    const info = body.inspector.info;
    const last = this.#plan;
    if (
      last !== undefined &&
      caps === this.#caps &&
      session.chunking === this.#chunking &&
      addresses.from === this.#from &&
      addresses.ascii === this.#ascii &&
      info.size === this.#size &&
      info.has8bit === this.#has8bit &&
      body.headers8bit === this.#headers8bit &&
      sameAddresses(addresses, this.#to)
    ) {
      return { mailLine: last.mailLine, recipients: last.recipients, body: last.body, maxSize: last.maxSize };
    }
    // Planned afresh (this may throw, as it would have; nothing is remembered then).
    const plan = planEnvelope(options, addresses, body, caps, session);
    this.#plan = plan;
    this.#caps = caps;
    this.#chunking = session.chunking;
    this.#from = addresses.from;
    this.#to = addresses.recipients.map((r) => r.address);
    this.#ascii = addresses.ascii;
    this.#size = info.size;
    this.#has8bit = info.has8bit;
    this.#headers8bit = body.headers8bit;
    return plan;
  }
}

/** The plain case described above: the plan depends on nothing but the compared values. */
function plain(options: SendMailOptions, addresses: Addresses, body: PreparedBody): boolean {
  if (
    !body.complete ||
    options.dsn !== undefined ||
    options.mailParams !== undefined ||
    options.requireTLS === true ||
    options.body !== undefined ||
    options.smtputf8 !== undefined
  ) {
    return false;
  }
  const info = body.inspector.info;
  // RFC 5321 §4.5.3.1.6: longer text lines make planBody choose BINARYMIME or refuse.
  if (info.hasNul || info.maxLineLength > MAX_TEXT_LINE_OCTETS) return false;
  for (const r of addresses.recipients) if (r.notify !== undefined || r.orcpt !== undefined) return false;
  return true;
}

function sameAddresses(addresses: Addresses, to: readonly string[]): boolean {
  const recipients = addresses.recipients;
  if (recipients.length !== to.length) return false;
  for (let i = 0; i < to.length; i++) if (recipients[i]!.address !== to[i]) return false;
  return true;
}
