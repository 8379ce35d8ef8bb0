// A dependency-free SVG chart: per scenario, one bar per other client showing ours/that
// client (paired ratio); the line at 1.0 is parity.

const esc = (s) => String(s).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** @param {{ results: { title: string, clients: Record<string, { ratio?: number }> }[] }} report */
export function renderChart(report) {
  const rows = report.results.flatMap((r) => Object.entries(r.clients)
    .filter(([name, c]) => name !== 'ours' && Number.isFinite(c.ratio))
    .map(([name, c]) => ({ label: `${r.title} — vs ${name}`, ratio: c.ratio })));
  const max = Math.max(2, ...rows.map((r) => r.ratio));
  const width = 980, left = 520, barW = width - left - 60, rowH = 22;
  const height = 40 + rows.length * rowH + 30;
  const x = (v) => left + (v / max) * barW;
  const bars = rows.map((r, i) => {
    const y = 30 + i * rowH;
    const color = r.ratio >= 1 ? '#2e7d32' : '#c62828';
    return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(r.label)}</text>`
      + `<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(r.ratio) - left)}" height="${rowH - 6}" fill="${color}"/>`
      + `<text x="${x(r.ratio) + 4}" y="${y + 14}">${r.ratio.toFixed(2)}×</text>`;
  }).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<text x="10" y="18" font-weight="bold">@mail speed relative to other clients (higher is better; ${esc(report.date)}, ${report.quick ? 'quick mode' : `${report.rounds} rounds`})</text>
${bars}
<line x1="${x(1)}" y1="26" x2="${x(1)}" y2="${height - 20}" stroke="#333" stroke-dasharray="4 3"/>
<text x="${x(1)}" y="${height - 6}" text-anchor="middle">1.0 = parity</text>
</svg>
`;
}
