// The runs list: the tenant's runs, newest first, filtered by status and tool, paged with the
// API's cursor (next), refreshed every 2 s while the first page shows.

import { api } from './api.mjs';
import { h, fill, msText, timeText } from './dom.mjs';

const STATUSES = ['', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'LIMIT_EXCEEDED', 'CANCELLED', 'INTERRUPTED', 'REJECTED'];
const PAGE = 25;

export function badge(status) {
  return h('span.badge.s-' + status.toLowerCase(), status);
}

function query(p) {
  const q = new URLSearchParams();
  q.set('limit', /^[1-9][0-9]{0,2}$/.test(p.get('limit') || '') ? p.get('limit') : String(PAGE));
  for (const k of ['status', 'tool', 'before']) if (p.get(k)) q.set(k, p.get(k));
  return '/runs?' + q;
}

function hashFor(p) {
  const q = new URLSearchParams();
  for (const k of ['limit', 'status', 'tool', 'before']) if (p[k]) q.set(k, p[k]);
  return '#/runs' + (q.toString() ? '?' + q : '');
}

export async function runsView(main, params, signal) {
  const tools = (await api.json('/tools')).tools || [];
  const status = h('select', { id: 'f-status', on: { change: () => { location.hash = hashFor({ status: status.value, tool: tool.value }); } } },
    STATUSES.map((s) => h('option', { value: s, selected: s === (params.get('status') || '') }, s || 'any status')));
  const tool = h('select', { id: 'f-tool', on: { change: () => { location.hash = hashFor({ status: status.value, tool: tool.value }); } } },
    h('option', { value: '' }, 'any tool'),
    [...new Set(tools.map((t) => t.name))].map((n) => h('option', { value: n, selected: n === params.get('tool') }, n)));
  const body = h('tbody', { id: 'runs-body' });
  const pager = h('div.pager');
  const live = h('span.muted', { id: 'live' });
  fill(main, h('section.card',
    h('div.row', h('h1', 'Runs'), h('div.filters', h('label', 'Status ', status), h('label', 'Tool ', tool), live)),
    h('table.runs', h('thead', h('tr', ['Status', 'Tool', 'Queued', 'Started', 'Duration', 'Exit', 'Run'].map((c) => h('th', c)))), body),
    pager));

  const load = async () => {
    const page = await api.json(query(params), { signal });
    fill(body, page.runs.length ? page.runs.map(row) : h('tr', h('td.muted', { colspan: 7 }, 'No runs.')));
    fill(pager,
      params.get('before') ? h('a', { href: hashFor({ limit: params.get('limit'), status: params.get('status'), tool: params.get('tool') }) }, '← Newest') : null,
      page.next ? h('a', { id: 'older', href: hashFor({ status: params.get('status'), tool: params.get('tool'), limit: params.get('limit'), before: new URLSearchParams(page.next.split('?')[1]).get('before') }) }, 'Older →') : null);
    fill(live, params.get('before') ? 'older page (not refreshed)' : 'live · ' + new Date().toLocaleTimeString());
  };
  await load();
  if (params.get('before')) return;
  (async () => {
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, 2000));
      if (signal.aborted) return;
      try {
        await load();
      } catch (e) {
        if (!signal.aborted) fill(live, 'refresh failed: ' + e.message);
      }
    }
  })();
}

function row(r) {
  const t = r.timings || {};
  const exit = r.signal !== null && r.signal !== undefined ? 'signal ' + r.signal : r.exit_code ?? '—';
  return h('tr', { 'data-run': r.id, 'data-status': r.status },
    h('td', badge(r.status)),
    h('td', h('code', r.tool + '@' + r.version), ' ', r.verb),
    h('td', timeText(t.queued_at)),
    h('td', timeText(t.started_at)),
    h('td', msText(t.duration_ms)),
    h('td', String(exit)),
    h('td', h('a', { href: '#/run/' + r.id }, r.id.slice(0, 8) + '…')));
}
