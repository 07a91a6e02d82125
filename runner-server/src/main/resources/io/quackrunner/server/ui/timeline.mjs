// The phase timeline of one run as an SVG bar chart: queued (from the record's timestamps), then
// the runner's own phases (RunResult.phases_us, monotonic clock).

import { h, msText, svg } from './dom.mjs';

const COLORS = {
  queued: '#9aa5b1', setup: '#5b8def', exec: '#2f9e44', teardown: '#e8a33d',
  collect: '#ae3ec9', reports: '#1098ad',
};

/** Returns [{name, ms}] for a RunResult. */
export function phasesOf(run) {
  const out = [];
  const t = run.timings || {};
  if (t.queued_at && t.started_at) out.push({ name: 'queued', ms: Math.max(0, Date.parse(t.started_at) - Date.parse(t.queued_at)) });
  for (const [name, us] of Object.entries(run.phases_us || {})) out.push({ name, ms: us / 1000 });
  return out;
}

/** Returns a figure with the chart and a legend, or a note when no phase is known yet. */
export function timeline(run) {
  const ph = phasesOf(run);
  if (!ph.length) return h('p.muted', 'No phase times yet (they are recorded when the run ends).');
  const total = ph.reduce((n, p) => n + p.ms, 0) || 1;
  const W = 720;
  const rowH = 22;
  const labelW = 90;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${ph.length * rowH + 24}`, role: 'img', 'aria-label': 'phase timeline', class: 'timeline' });
  let at = 0;
  const scale = (W - labelW - 90) / total;
  ph.forEach((p, i) => {
    const y = i * rowH + 4;
    chart.append(svg('text', { x: 0, y: y + 14, class: 'tl-label' }, p.name));
    chart.append(svg('rect', { x: labelW + at * scale, y, width: Math.max(1, p.ms * scale), height: rowH - 6, rx: 3, fill: COLORS[p.name] || '#868e96' },
      svg('title', {}, `${p.name}: ${msText(p.ms)}`)));
    chart.append(svg('text', { x: labelW + (at + p.ms) * scale + 6, y: y + 14, class: 'tl-value' }, msText(p.ms)));
    at += p.ms;
  });
  chart.append(svg('text', { x: labelW, y: ph.length * rowH + 20, class: 'tl-axis' }, `total ${msText(total)} · signing and the ledger append follow and are not timed here`));
  return h('figure.timeline-fig', chart);
}
