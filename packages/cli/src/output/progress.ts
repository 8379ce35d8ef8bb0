/**
 * Fetch progress: a redrawn bar on an interactive stderr, one plain line per committed batch
 * otherwise (cron logs), nothing with --quiet or --json.
 */
import type { FetchProgress } from '../fetch/engine.js';
import type { Printer } from './printer.js';

/** Human-readable byte count. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A text progress bar of `width` cells. */
export function bar(done: number, total: number, width = 24): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const full = Math.round(ratio * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

/** Progress reporting for one fetch run. */
export function fetchProgress(printer: Printer): FetchProgress & { finish(): void } {
  let total = 0;
  let totalBytes = 0;
  let done = 0;
  let doneBytes = 0;
  let drawn = false;
  let lastDraw = 0;
  const draw = (force = false): void => {
    const now = Date.now();
    if (!force && now - lastDraw < 80) return;
    lastDraw = now;
    printer.stderr.write(`\r${bar(done, total)} ${done}/${total} ${formatBytes(doneBytes)}/${formatBytes(totalBytes)}\x1b[K`);
    drawn = true;
  };
  return {
    start(count, bytes) {
      total = count;
      totalBytes = bytes;
      if (printer.interactive && count > 0) draw(true);
    },
    message(outcome) {
      done++;
      doneBytes += outcome.size;
      if (printer.interactive) draw();
    },
    batch(stored, all) {
      if (printer.interactive) draw(true);
      else printer.info(`stored ${stored}/${all} messages (${formatBytes(doneBytes)})`);
    },
    finish() {
      if (drawn) printer.stderr.write('\n');
    },
  };
}
