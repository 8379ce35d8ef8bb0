// Chunking helpers for tests: the same bytes cut into different pieces, so parsers and
// stream readers can be checked to give one result whatever the network's chunk boundaries.

/** Options of {@link splitAt}. */
export interface SplitOptions {
  /**
   * Keep zero-length pieces (a cut at 0 or at the end gives an empty first or last piece).
   * Default false: only non-empty pieces, and no pieces at all for empty input.
   */
  readonly keepEmpty?: boolean;
}

/**
 * Cuts `data` at the given points and returns the pieces, in order, which concatenate back to `data`.
 * Each cut is taken modulo `data.length + 1` (so arbitrary naturals from a property test can be
 * passed as they are); duplicates are ignored and the order of `cuts` does not matter.
 * Pieces are views (`subarray`) of `data`, not copies.
 */
export function splitAt<T extends Uint8Array>(data: T, cuts: readonly number[], options: SplitOptions = {}): T[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: T[] = [];
  let from = 0;
  for (const to of [...points, data.length]) {
    // Buffer's subarray returns a Buffer, Uint8Array's a Uint8Array: the piece has data's type.
    if (options.keepEmpty === true || to > from) out.push(data.subarray(from, to) as T);
    from = to;
  }
  return out;
}

/** Every way to feed `s` in chunks that tests of small inputs want: whole, one character per chunk, and every two-chunk cut. */
export function chunkings(s: string): string[][] {
  const all: string[][] = [[s], s.split('')];
  for (let i = 0; i <= s.length; i++) all.push([s.slice(0, i), s.slice(i)]);
  return all;
}
