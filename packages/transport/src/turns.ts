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
