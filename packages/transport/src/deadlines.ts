/**
 * The deadlines of one connection's pending calls, kept by a single timer.
 *
 * Every read and waiting write arms a deadline; a connection that fetches thousands of small
 * messages arms and disarms thousands of them. One Node timer per deadline
 * (setTimeout/clearTimeout, a priority-queue insert and removal each) showed up as a tenth of
 * the CPU of a pipelined POP3 fetch. Here the one timer stays armed for the earliest deadline:
 * releasing a deadline only forgets it, and a deadline later than the armed one (the usual
 * case: same phase, later start) costs nothing. When the timer fires it expires what is due
 * and re-arms for the earliest remaining deadline. The timer is unref'd while no deadline is
 * armed, so a connection with no pending call never keeps the process alive.
 */

interface Entry {
  readonly deadline: number;
  readonly onExpire: () => void;
}

/** A deadline armed with {@link Deadlines.arm}. */
export type DeadlineToken = object;

/** Pending deadlines with one shared timer. Internal. */
export class Deadlines {
  readonly #entries = new Set<Entry>();
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (epoch ms); Infinity when none is armed. */
  #due = Infinity;

  /**
   * Calls `onExpire` once `deadline` (epoch ms, as `Date.now()`) has passed, unless the
   * returned release function is called first.
   */
  add(deadline: number, onExpire: () => void): () => void {
    const entry = this.arm(deadline, onExpire);
    return () => this.disarm(entry);
  }

  /**
   * Like {@link add}, for callers that keep the returned token and pass it to
   * {@link disarm} (no closure per deadline). Disarming twice is harmless.
   */
  arm(deadline: number, onExpire: () => void): DeadlineToken {
    const entry: Entry = { deadline, onExpire };
    this.#entries.add(entry);
    if (deadline < this.#due) this.#arm(deadline);
    else if (this.#entries.size === 1) this.#timer?.ref();
    return entry;
  }

  /** Forgets a deadline from {@link arm}. */
  disarm(token: DeadlineToken): void {
    if (this.#entries.delete(token as Entry) && this.#entries.size === 0) this.#timer?.unref();
  }

  /** Forgets every deadline and stops the timer (the connection is gone). */
  clear(): void {
    this.#entries.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = Infinity;
  }

  #arm(deadline: number): void {
    clearTimeout(this.#timer);
    this.#due = deadline;
    this.#timer = setTimeout(this.#fire, Math.max(0, deadline - Date.now()));
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#due = Infinity;
    const now = Date.now();
    const expired = [...this.#entries].filter((entry) => entry.deadline <= now);
    for (const entry of expired) {
      this.#entries.delete(entry);
      entry.onExpire();
    }
    // onExpire may have cleared or added deadlines; re-arm for the earliest one left.
    if (this.#timer === undefined && this.#entries.size > 0) {
      let next = Infinity;
      for (const entry of this.#entries) if (entry.deadline < next) next = entry.deadline;
      this.#arm(next);
    }
  };
}
