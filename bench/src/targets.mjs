// Issue 8's targets, checked against the ratios measured in the same run. A missed target is
// reported, never hidden; it does not fail the run (timings never fail a build).

const ratio = (results, id, client) => results.find((r) => r.id === id)?.clients[client]?.ratio;
const ours = (results, id) => results.find((r) => r.id === id)?.clients.ours;

/** @returns {{ text: string, measured: string, met: boolean | null }[]} */
export function checkTargets(results) {
  const t = [];
  const atLeast = (text, value, min, unit = '×') => t.push({
    text, measured: value === undefined || Number.isNaN(value) ? 'not measured' : `${value.toFixed(2)}${unit}`,
    met: value === undefined || Number.isNaN(value) ? null : value >= min,
  });
  const atMost = (text, value, max, unit) => t.push({
    text, measured: value === undefined ? 'not measured' : `${value.toFixed(1)} ${unit}`,
    met: value === undefined ? null : value <= max,
  });
  atLeast('SMTP small, 1 conn: >= 2x smtp-source', ratio(results, 'smtp-small-1', 'smtp-source'), 2);
  atLeast('SMTP small, 1 conn: >= 2.5x nodemailer', ratio(results, 'smtp-small-1', 'nodemailer'), 2.5);
  atLeast('SMTP pool of 4: >= smtp-source -s 4', ratio(results, 'smtp-small-4', 'smtp-source -s 4'), 1);
  atLeast('SMTP large: >= 0.95x curl (smtp-sink)', ratio(results, 'smtp-large', 'curl'), 0.95);
  atLeast('SMTP large: >= 400 MB/s to a minimal sink', ours(results, 'smtp-large-minimal')?.median, 400, ' MB/s');
  atMost('SMTP large: peak RSS < 80 MiB', ours(results, 'smtp-large')?.peakRssMiB, 80, 'MiB');
  atLeast('POP3 small: >= 3x poplib', ratio(results, 'pop3-small', 'poplib'), 3);
  atLeast('POP3 large: >= 0.9x curl', ratio(results, 'pop3-large', 'curl'), 0.9);
  atMost('POP3 large: peak RSS < 80 MiB', ours(results, 'pop3-large')?.peakRssMiB, 80, 'MiB');
  atLeast('Durable fetch with delete: >= 3x mpop', ratio(results, 'fetch-delete', 'mpop'), 3);
  // Start-up: "within 1.5x of node -e 0" = our runs/s at least 1/1.5 of node's.
  atLeast('mailctl --version within 1.5x of node -e 0', ratio(results, 'startup', 'node -e 0'), 1 / 1.5);
  return t;
}
