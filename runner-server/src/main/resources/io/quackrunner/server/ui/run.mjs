// One run: status, error, exit, limits, resource use, phase timeline, the live log (SSE over
// fetch: stdout and stderr told apart, followed to its end event), artifacts with download and
// a preview that can run no script, and the receipt panel.

import { api, followSse } from './api.mjs';
import { h, fill, bytesText, msText, timeText } from './dom.mjs';
import { badge } from './runs.mjs';
import { timeline } from './timeline.mjs';
import { receiptPanel } from './receipt.mjs';
import { hex, sha256 } from './bytes.mjs';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'LIMIT_EXCEEDED', 'CANCELLED', 'INTERRUPTED', 'REJECTED']);
// Only raster images are previewed as images; an SVG is shown as its text (an <img> would run
// no script either, but text shows exactly what the tool wrote).
const IMAGE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const PREVIEW_MAX = 1 << 20;

export async function runView(main, id, signal) {
  const summary = h('section.card', { id: 'summary' });
  const logBox = h('pre.log', { id: 'log', 'aria-live': 'polite' });
  const logState = h('span.muted', { id: 'log-state' });
  const which = h('select', { id: 'log-filter', on: { change: () => { logBox.dataset.show = which.value; } } },
    h('option', { value: 'both' }, 'stdout + stderr'), h('option', { value: 'stdout' }, 'stdout'), h('option', { value: 'stderr' }, 'stderr'));
  logBox.dataset.show = 'both';
  const arts = h('section.card', { id: 'artifacts' });
  const preview = h('div.preview', { id: 'preview' });
  const receipt = h('section.card', { id: 'receipt' });
  fill(main, summary,
    h('section.card', h('div.row', h('h2', 'Log'), h('div', which, ' ', logState)), logBox),
    arts, receipt);

  let run = await api.json('/runs/' + id, { signal });
  const render = () => {
    renderSummary(summary, run);
    renderArtifacts(arts, preview, run);
  };
  render();
  if (run.receipt) receiptPanel(receipt, run, signal);
  else fill(receipt, h('h2', 'Receipt'), h('p.muted', 'The receipt is issued when the run ends.'));

  // The log: one SSE stream from the first byte, so a run that has ended shows its whole log too.
  fill(logState, 'following…');
  let lines = 0;
  try {
    await followSse('/runs/' + id + '/logs?follow=true', (name, data) => {
      if (name === 'stdout' || name === 'stderr') {
        logBox.append(h('span.line.' + name, { 'data-stream': name }, data + '\n'));
        lines++;
        if (logBox.scrollHeight - logBox.scrollTop - logBox.clientHeight < 80) logBox.scrollTop = logBox.scrollHeight;
      } else if (name === 'end') {
        fill(logState, 'ended: ' + JSON.parse(data).status + ' · ' + lines + ' line(s)');
        logBox.dataset.ended = 'true';
      }
    }, signal);
  } catch (e) {
    if (signal.aborted) return;
    fill(logState, 'log stream failed: ' + e.message);
  }
  if (signal.aborted) return;
  // The end event comes when the record is terminal; the receipt may follow a moment later.
  for (let i = 0; i < 50 && !signal.aborted; i++) {
    run = await api.json('/runs/' + id, { signal });
    if (TERMINAL.has(run.status) && run.receipt) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  render();
  if (run.receipt && !receipt.dataset.ready) receiptPanel(receipt, run, signal);
}

function kv(rows) {
  return h('table.kv', h('tbody', rows.filter(Boolean).map(([k, v]) => h('tr', h('th', k), h('td', v)))));
}

function renderSummary(el, r) {
  const t = r.timings || {};
  const u = r.usage;
  fill(el,
    h('div.row', h('h1', 'Run ', h('code', r.id)), badge(r.status)),
    h('div.cols',
      kv([
        ['Tool', h('code', r.tool + '@' + r.version + ' ' + r.verb)],
        ['Status', h('span', { id: 'run-status' }, r.status)],
        ['Exit code', r.exit_code ?? '—'],
        ['Signal', r.signal ?? '—'],
        ['Error kind', r.error ? h('span', h('code', r.error.kind), ' — ', r.error.detail) : '—'],
        r.limit_exceeded ? ['Limit exceeded', r.limit_exceeded] : null,
        ['Queued', timeText(t.queued_at)], ['Started', timeText(t.started_at)],
        ['Finished', timeText(t.finished_at)], ['Duration', msText(t.duration_ms)],
      ]),
      h('div',
        h('h3', 'Resource use'),
        u ? kv([['Wall time', msText(u.wall_time_ms)], ['CPU time', msText(u.cpu_time_ms)], ['Peak memory', bytesText(u.peak_memory_bytes)], ['Sandbox overhead', msText(u.sandbox_overhead_ms)]]) : h('p.muted', 'Not yet.'),
        h('h3', 'Limits applied'),
        r.limits ? kv(Object.entries(r.limits).map(([k, v]) => [k, /_bytes$/.test(k) ? bytesText(v) : /_ms$/.test(k) ? msText(v) : String(v)])) : h('p.muted', 'Recorded when the run ends.'))),
    h('h3', 'Phases'), timeline(r),
    r.violations && r.violations.length ? h('div', h('h3', 'Violations'), h('ul', r.violations.map((v) => h('li', h('code', v.path), ': ', v.detail)))) : null);
}

function renderArtifacts(el, preview, r) {
  const list = r.artifacts || [];
  fill(el, h('h2', 'Artifacts'),
    list.length ? h('table.artifacts', h('thead', h('tr', ['Path', 'Size', 'Media type', 'SHA-256', ''].map((c) => h('th', c)))),
      h('tbody', list.map((a) => h('tr', { 'data-artifact': a.path },
        h('td', h('code', a.path)), h('td', bytesText(a.size)), h('td', h('code', a.media_type)),
        h('td', h('code.sha', a.sha256)),
        h('td.actions',
          h('button', { type: 'button', class: 'download', on: { click: () => download(a, preview) } }, 'Download'), ' ',
          h('button', { type: 'button', class: 'preview-btn', on: { click: () => showPreview(a, preview) } }, 'Preview')))))) : h('p.muted', 'No artifacts.'),
    preview);
}

/** Downloads through fetch (the token is a header, so a plain link cannot), checks the SHA-256. */
async function download(a, preview) {
  const b = await api.bytes(a.href);
  const got = hex(await sha256(b));
  const url = URL.createObjectURL(new Blob([b], { type: 'application/octet-stream' }));
  const link = h('a', { href: url, download: a.path.split('/').pop() });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  fill(preview, h('p', { class: got === a.sha256 ? 'ok' : 'error', id: 'download-check' },
    'Downloaded ', h('code', a.path), ' (', bytesText(b.length), '): SHA-256 ', h('code', got), got === a.sha256 ? ' matches the run\'s record.' : ' differs from the run\'s record ' + a.sha256 + '.'));
}

async function showPreview(a, preview) {
  if (a.size > PREVIEW_MAX) return fill(preview, h('p.muted', 'Too large to preview (' + bytesText(a.size) + ').'));
  const b = await api.bytes(a.href);
  const type = String(a.media_type).split(';')[0].trim().toLowerCase();
  if (IMAGE.has(type)) {
    // A Blob of a fixed raster type in an <img>: decoded as an image, never as a document.
    const url = URL.createObjectURL(new Blob([b], { type }));
    const img = h('img', { src: url, alt: a.path, id: 'preview-image' });
    img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
    return fill(preview, h('h3', 'Preview of ', h('code', a.path)), img);
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return fill(preview, h('p.muted', 'Binary (' + type + '): no preview; download it instead.'));
  }
  // textContent only: markup in the file is shown as characters, never parsed.
  fill(preview, h('h3', 'Preview of ', h('code', a.path), ' (as text)'), h('pre.text-preview', { id: 'preview-text' }, text));
}
