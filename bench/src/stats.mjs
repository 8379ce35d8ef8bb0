// Order statistics for interleaved benchmark runs.

/** Median of a non-empty list of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Ratio of ours to another client, measured pair by pair: in round i both ran back to back,
 * so the ratio of their throughputs in that round cancels slow drifts of the machine.
 * > 1 means ours is faster.
 */
export function pairedRatio(oursRuns, otherRuns) {
  const n = Math.min(oursRuns.length, otherRuns.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(oursRuns[i].throughput / otherRuns[i].throughput);
  return ratios.length ? median(ratios) : NaN;
}

/** Summary of one client's runs in one scenario. */
export function summarize(runs) {
  const t = runs.map((r) => r.throughput);
  return {
    median: median(t),
    min: Math.min(...t),
    max: Math.max(...t),
    cpuMsPerItem: median(runs.map((r) => r.cpuMs / r.items)),
    peakRssMiB: Math.max(...runs.map((r) => r.maxRssKiB / 1024)),
    runs: runs.length,
  };
}
