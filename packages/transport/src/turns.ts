/**
 * Turn-taking among the reads (and TLS upgrades) of one connection: each waits for the one
 * taken before it, in call order. A pipelined client takes thousands of turns, nearly always
 * with nobody ahead or behind, so a turn allocates nothing more until someone queues behind
 * it, and a turn with nobody ahead needs no waiting at all.
 */

/** One read's place in line. Internal. */
export class Turn {
  /** Resolves once the turn before this one was released; undefined when it already was. */
  readonly ready: Promise<void> | undefined;
  #released = false;
  #whenReleased: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  /** `previous`: the turn taken just before this one, if any. */
  constructor(previous: Turn | undefined) {
    this.ready = previous === undefined || previous.#released ? undefined : previous.#done();
  }

  /** Releases the turn (once); true the first time. */
  release(): boolean {
    if (this.#released) return false;
    this.#released = true;
    this.#resolve?.();
    return true;
  }

  #done(): Promise<void> {
    return (this.#whenReleased ??= new Promise<void>((resolve) => (this.#resolve = resolve)));
  }
}

/** The turns of one connection, in call order. Internal. */
export class Turns {
  #last: Turn | undefined;
  #held = 0;

  /** Turns taken and not yet released (0: no read or upgrade is queued or running). */
  get held(): number {
    return this.#held;
  }

  /** Takes the next turn; it may start once its `ready` settles (at once when undefined). */
  take(): Turn {
    const turn = new Turn(this.#last);
    this.#last = turn;
    this.#held++;
    return turn;
  }

  /** Releases `turn` (once; later calls do nothing). */
  release(turn: Turn): void {
    if (turn.release()) this.#held--;
  }
}
