// The operations view: cache hit rates, upstream calls per provider, circuit states and
// stream connections, read every 5 s from the gateway's own endpoints: /actuator/prometheus
// (parsed here), /actuator/health and, with the admin token, /api/v1/admin/cache. The token
// lives in sessionStorage (this tab only) and goes out as an Authorization header only.

import { h, fill, fmt, fetchJson, features, panelState, describe, ApiError } from './lib.js';

const TOKEN_KEY = 'qg.adminToken';
const REFRESH_MS = 5000;
const HISTORY = 120;

const $ = (sel, root = document) => root.querySelector(sel);
const panels = {
  access: $('#access'), trend: $('#trend'), cache: $('#cache'), upstream: $('#upstream'), circuits: $('#circuits'), streams: $('#streams'),
};

function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch (e) {
    return '';
  }
}

function authHeaders() {
  const t = token();
  return t ? { authorization: 'Bearer ' + t } : {};
}

// ---------------------------------------------------------------- Prometheus text format

/** Parses the Prometheus text exposition format into [{name, labels, value}]. */
export function parsePrometheus(text) {
  const out = [];
  const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    let name;
    const labels = {};
    let rest;
    if (brace >= 0 && brace < space) {
      name = line.slice(0, brace);
      const close = line.lastIndexOf('}');
      const inner = line.slice(brace + 1, close);
      let m;
      labelRe.lastIndex = 0;
      while ((m = labelRe.exec(inner)) !== null) labels[m[1]] = m[2].replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = line.slice(close + 1).trim();
    } else {
      const sp = line.indexOf(' ');
      name = line.slice(0, sp);
      rest = line.slice(sp + 1).trim();
    }
    const value = Number(rest.split(' ')[0]);
    if (name && !Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

function pick(samples, name) {
  return samples.filter((s) => s.name === name);
}

function keyOf(s) {
  return s.name + JSON.stringify(s.labels);
}

// ---------------------------------------------------------------- state

let previous = null; // {at, values: Map}
const history = { t: [], calls: [], hit: [] };
let trendPlot = null;

function rate(now, s) {
  if (!previous) return null;
  const before = previous.values.get(keyOf(s));
  const dt = (now.at - previous.at) / 1000;
  if (before === undefined || dt <= 0) return null;
  return Math.max(0, (s.value - before) / dt);
}

function delta(now, s) {
  if (!previous) return null;
  const before = previous.values.get(keyOf(s));
  return before === undefined ? null : Math.max(0, s.value - before);
}

// ---------------------------------------------------------------- panels

function hitCell(fraction) {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return h('td', { class: 'num' }, '—');
  return h('td', { class: 'num' }, h('meter', { min: 0, max: 1, low: 0.5, high: 0.8, optimum: 1, value: fraction.toFixed(4), 'aria-hidden': 'true' }), ' ', fmt.share(fraction));
}

function renderCache(now, samples) {
  const gets = pick(samples, 'cache_gets_total');
  const byCache = new Map();
  for (const s of gets) {
    const c = byCache.get(s.labels.cache) || { hit: 0, miss: 0, dHit: 0, dMiss: 0, known: true };
    const d = delta(now, s);
    if (s.labels.result === 'hit') {
      c.hit += s.value;
      c.dHit += d || 0;
    } else if (s.labels.result === 'miss') {
      c.miss += s.value;
      c.dMiss += d || 0;
    }
    if (d === null) c.known = false;
    byCache.set(s.labels.cache, c);
  }
  const tiers = new Map();
  for (const s of pick(samples, 'quotegate_cache_requests_total')) {
    const k = s.labels.kind + ' · ' + s.labels.tier.toUpperCase();
    const t = tiers.get(k) || { fresh: 0, all: 0, dFresh: 0, dAll: 0, known: true };
    const d = delta(now, s);
    t.all += s.value;
    t.dAll += d || 0;
    if (s.labels.outcome === 'fresh') {
      t.fresh += s.value;
      t.dFresh += d || 0;
    }
    if (d === null) t.known = false;
    tiers.set(k, t);
  }
  const rows = [];
  for (const [k, t] of [...tiers].sort()) {
    rows.push(h('tr', { 'data-cache': k },
      h('th', { scope: 'row' }, k),
      hitCell(t.all ? t.fresh / t.all : null),
      h('td', { class: 'num' }, t.known && t.dAll ? fmt.share(t.dFresh / t.dAll) : '—'),
      h('td', { class: 'num' }, fmt.int(t.all))));
  }
  for (const [k, c] of [...byCache].sort()) {
    const all = c.hit + c.miss;
    rows.push(h('tr', { 'data-cache': k },
      h('th', { scope: 'row' }, k, h('span', { class: 'meta' }, ' (Caffeine)')),
      hitCell(all ? c.hit / all : null),
      h('td', { class: 'num' }, c.known && c.dHit + c.dMiss ? fmt.share(c.dHit / (c.dHit + c.dMiss)) : '—'),
      h('td', { class: 'num' }, fmt.int(all))));
  }
  fill($('[data-role=body]', panels.cache), rows.length
    ? h('table', {},
      h('caption', { class: 'sr-only' }, 'Hit rate per cache since start and over the last refresh'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Cache'), h('th', { scope: 'col', class: 'num' }, 'Hit rate'),
        h('th', { scope: 'col', class: 'num' }, 'Last 5 s'), h('th', { scope: 'col', class: 'num' }, 'Look-ups'))),
      h('tbody', {}, ...rows))
    : h('p', { class: 'note' }, 'No cache meters yet.'));
  panelState(panels.cache, 'ready');
}

function renderAdminCache(result) {
  const box = $('[data-role=admin]', panels.cache);
  if (!result) {
    fill(box, h('p', { class: 'note' }, token() ? '' : 'Enter the admin token above for sizes, L2 and lease figures.'));
    return;
  }
  if (result.error) {
    fill(box, h('p', { class: 'state state-error' }, 'Cache details: ' + result.error));
    return;
  }
  const d = result.value;
  const redis = d.redis || {};
  const kinds = d.kinds || [];
  fill(box,
    h('h3', {}, 'Cache details (admin)'),
    h('p', { class: 'meta' }, redis.enabled
      ? 'Redis ' + (redis.connected ? 'connected' : 'not connected') + ', breaker ' + (redis.breaker || '—') + (redis.keyPrefix ? ', prefix ' + redis.keyPrefix : '')
      : 'Redis off: in-process cache only'),
    h('table', {},
      h('caption', { class: 'sr-only' }, 'Cache details by kind'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col', class: 'num' }, 'L1 size'),
        h('th', { scope: 'col', class: 'num' }, 'L1 hit'), h('th', { scope: 'col', class: 'num' }, 'L2 hit'),
        h('th', { scope: 'col', class: 'num opt' }, 'Leases won / waited'), h('th', { scope: 'col', class: 'num opt' }, 'Revalidating'))),
      h('tbody', {}, ...kinds.map((k) => h('tr', { 'data-kind': k.kind },
        h('th', { scope: 'row' }, k.kind),
        h('td', { class: 'num' }, k.l1 ? fmt.int(k.l1.size) + ' / ' + fmt.compact(k.l1.maxEntries) : '—'),
        h('td', { class: 'num' }, k.l1 ? fmt.share(k.l1.hitRate) : '—'),
        h('td', { class: 'num' }, k.l2 ? fmt.share(k.l2.hitRate) : '—'),
        h('td', { class: 'num opt' }, k.lease ? fmt.int(k.lease.won) + ' / ' + fmt.int(k.lease.waited) : '—'),
        h('td', { class: 'num opt' }, fmt.int(k.revalidationsPending)))))));
}

function renderUpstream(now, samples) {
  const calls = pick(samples, 'quotegate_upstream_requests_seconds_count');
  const groups = new Map();
  for (const s of calls) {
    const k = s.labels.provider + '|' + s.labels.operation;
    const g = groups.get(k) || { provider: s.labels.provider, operation: s.labels.operation, total: 0, failed: 0, rate: 0, rateKnown: true, outcomes: {} };
    g.total += s.value;
    if (s.labels.outcome !== 'success' && s.labels.outcome !== 'not_found' && s.labels.outcome !== 'cancelled') g.failed += s.value;
    g.outcomes[s.labels.outcome] = (g.outcomes[s.labels.outcome] || 0) + s.value;
    const r = rate(now, s);
    if (r === null && !previous) g.rateKnown = false;
    else if (r !== null) g.rate += r;
    groups.set(k, g);
  }
  const list = [...groups.values()].sort((a, b) => a.provider.localeCompare(b.provider) || b.total - a.total);
  const providers = new Map();
  for (const g of list) {
    const p = providers.get(g.provider) || { total: 0, failed: 0, rate: 0 };
    p.total += g.total;
    p.failed += g.failed;
    p.rate += g.rate;
    providers.set(g.provider, p);
  }
  fill($('[data-role=body]', panels.upstream), list.length
    ? h('table', {},
      h('caption', { class: 'sr-only' }, 'Upstream calls by provider and operation'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Provider'), h('th', { scope: 'col' }, 'Operation'),
        h('th', { scope: 'col', class: 'num' }, 'Calls'), h('th', { scope: 'col', class: 'num' }, 'Per s'),
        h('th', { scope: 'col', class: 'num' }, 'Failed'), h('th', { scope: 'col', class: 'opt' }, 'Outcomes'))),
      h('tbody', {},
        ...[...providers].map(([name, p]) => h('tr', { 'data-provider': name, class: 'selected' },
          h('th', { scope: 'row' }, name), h('td', {}, 'all'), h('td', { class: 'num' }, fmt.int(p.total)),
          h('td', { class: 'num' }, fmt.ratio(p.rate)), h('td', { class: 'num ' + (p.failed ? 'down' : '') }, fmt.int(p.failed)), h('td', { class: 'opt' }))),
        ...list.map((g) => h('tr', { 'data-provider': g.provider, 'data-operation': g.operation },
          h('th', { scope: 'row' }, g.provider), h('td', {}, g.operation), h('td', { class: 'num' }, fmt.int(g.total)),
          h('td', { class: 'num' }, g.rateKnown ? fmt.ratio(g.rate) : '—'),
          h('td', { class: 'num ' + (g.failed ? 'down' : '') }, fmt.int(g.failed)),
          h('td', { class: 'opt' }, Object.entries(g.outcomes).filter(([, v]) => v > 0).map(([o, v]) => o + ' ' + fmt.int(v)).join(', '))))))
    : h('p', { class: 'note' }, 'No upstream call yet.'));
  panelState(panels.upstream, 'ready');
  let sum = 0;
  let known = !!previous;
  for (const g of list) {
    if (!g.rateKnown) known = false;
    sum += g.rate;
  }
  return known ? sum : null;
}

function renderCircuits(samples, health) {
  const states = new Map();
  for (const s of pick(samples, 'resilience4j_circuitbreaker_state')) {
    if (s.value === 1) states.set(s.labels.name, s.labels.state.toUpperCase());
  }
  const failure = new Map(pick(samples, 'resilience4j_circuitbreaker_failure_rate').map((s) => [s.labels.name, s.value]));
  const upstream = health && health.components && health.components.upstream ? health.components.upstream.details || {} : {};
  const names = [...new Set([...states.keys(), ...Object.keys(upstream)])].sort();
  fill($('[data-role=body]', panels.circuits), names.length
    ? h('table', {},
      h('caption', { class: 'sr-only' }, 'Circuit breaker and health per provider'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Provider'), h('th', { scope: 'col' }, 'Circuit'),
        h('th', { scope: 'col', class: 'num' }, 'Failure rate'), h('th', { scope: 'col' }, 'Health'),
        h('th', { scope: 'col', class: 'opt' }, 'Last outcome'))),
      h('tbody', {}, ...names.map((n) => {
        const u = upstream[n] || {};
        const circuit = states.get(n) || u.circuit || '—';
        const rateValue = failure.has(n) ? failure.get(n) : u.failureRate;
        return h('tr', { 'data-provider': n, 'data-circuit': circuit },
          h('th', { scope: 'row' }, n),
          h('td', { class: 'status-' + circuit }, circuit),
          h('td', { class: 'num' }, rateValue === undefined || rateValue < 0 ? '—' : fmt.ratio(rateValue) + '%'),
          h('td', { class: 'status-' + (u.status || '') }, u.status || '—'),
          h('td', { class: 'opt' }, (u.lastOutcome || '—') + (u.consecutiveFailures ? ' (' + u.consecutiveFailures + ' failures in a row)' : '')));
      })))
    : h('p', { class: 'note' }, 'No provider has a circuit breaker yet.'));
  panelState(panels.circuits, 'ready');
}

function renderStreams(now, samples) {
  const val = (name, labels = {}) => pick(samples, name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
  // A series first seen in this scrape (a new URI or status) has no rate yet: left out of the sum.
  const rateOf = (name) => {
    if (!previous) return null;
    let sum = 0;
    for (const s of pick(samples, name)) {
      const r = rate(now, s);
      if (r !== null) sum += r;
    }
    return sum;
  };
  const kv = (k, v) => h('div', {}, h('dt', {}, k), h('dd', {}, v));
  const events = rateOf('quotegate_stream_events_total');
  const requests = rateOf('http_server_requests_seconds_count');
  fill($('[data-role=body]', panels.streams),
    h('dl', { class: 'kv' },
      kv('SSE connections', fmt.int(val('quotegate_stream_connections', { transport: 'sse' }))),
      kv('WebSocket connections', fmt.int(val('quotegate_stream_connections', { transport: 'websocket' }))),
      kv('Subscriptions', fmt.int(val('quotegate_stream_subscriptions'))),
      kv('Symbols streamed', fmt.int(val('quotegate_stream_symbols')) + ' (' + fmt.int(val('quotegate_stream_symbols_polled')) + ' polled here)'),
      kv('Events / s', events === null ? '—' : fmt.ratio(events)),
      kv('Requests / s', requests === null ? '—' : fmt.ratio(requests)),
      kv('In flight', fmt.int(val('quotegate_http_inflight')) + ' / ' + fmt.int(val('quotegate_http_inflight_max'))),
      kv('Shed (503)', fmt.int(val('quotegate_http_shed_total')))));
  panelState(panels.streams, 'ready');
}

function renderHealth(health, error) {
  const pill = $('#health');
  if (error && !health) {
    pill.dataset.state = 'down';
    pill.textContent = 'Health unknown';
    pill.title = error;
    return;
  }
  const status = health.status || 'UNKNOWN';
  pill.dataset.state = status === 'UP' ? 'live' : status === 'DOWN' ? 'down' : 'reconnecting';
  pill.textContent = 'Health ' + status;
  const comps = health.components ? Object.entries(health.components).map(([k, v]) => k + ' ' + v.status).join(', ') : '';
  pill.title = comps;
}

function renderTrend(callsPerSecond, quoteHit) {
  const now = Date.now() / 1000;
  history.t.push(now);
  history.calls.push(callsPerSecond);
  history.hit.push(quoteHit === null ? null : quoteHit * 100);
  while (history.t.length > HISTORY) {
    history.t.shift();
    history.calls.shift();
    history.hit.shift();
  }
  const box = $('[data-role=canvas]', panels.trend);
  const data = [history.t, history.calls, history.hit];
  const width = Math.max(280, box.clientWidth);
  if (!trendPlot && typeof uPlot === 'function') {
    const css = getComputedStyle(document.documentElement);
    const v = (n) => css.getPropertyValue(n).trim();
    trendPlot = new uPlot({
      width, height: 200,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (u, min, max) => [Math.min(min, max - 300), max] }, calls: { range: (u, min, max) => [0, Math.max(1, max * 1.2)] }, pct: { range: [0, 100] } },
      axes: [
        { stroke: v('--fg-muted'), grid: { stroke: v('--grid') }, ticks: { stroke: v('--grid') } },
        { scale: 'calls', stroke: v('--fg-muted'), grid: { stroke: v('--grid') }, ticks: { stroke: v('--grid') }, label: 'calls/s', size: 56 },
        { scale: 'pct', side: 1, stroke: v('--fg-muted'), grid: { show: false }, label: 'hit %', size: 56 },
      ],
      series: [
        {},
        { label: 'Upstream calls/s', scale: 'calls', stroke: v('--accent'), width: 2, points: { show: false } },
        { label: 'Quote L1 hit rate %', scale: 'pct', stroke: v('--series-1'), width: 2, points: { show: false } },
      ],
    }, data, box);
    new ResizeObserver(() => requestAnimationFrame(() => {
      const w = Math.max(280, box.clientWidth);
      if (w !== trendPlot.width) trendPlot.setSize({ width: w, height: 200 });
    })).observe(box);
  } else if (trendPlot) {
    trendPlot.setData(data);
  }
  const last = (arr) => arr[arr.length - 1];
  $('[data-role=readout]', panels.trend).textContent = 'Now: ' + (last(history.calls) === null ? '—' : fmt.ratio(last(history.calls))) + ' upstream calls/s, quote L1 hit rate '
    + (last(history.hit) === null ? '—' : fmt.ratio(last(history.hit)) + '%') + ' over the last 5 s.';
  panelState(panels.trend, 'ready');
}

function quoteHitRate(now, samples) {
  let fresh = 0;
  let all = 0;
  for (const s of pick(samples, 'quotegate_cache_requests_total')) {
    if (s.labels.kind !== 'quote' || s.labels.tier !== 'l1') continue;
    const d = delta(now, s);
    if (d === null) return null;
    all += d;
    if (s.labels.outcome === 'fresh') fresh += d;
  }
  return all ? fresh / all : null;
}

// ---------------------------------------------------------------- refresh loop

async function fetchText(url) {
  let res;
  try {
    res = await fetch(url, { headers: { ...authHeaders(), accept: 'text/plain' } });
  } catch (e) {
    throw new ApiError(0, 'The gateway cannot be reached.');
  }
  if (!res.ok) {
    let detail = 'HTTP ' + res.status;
    try {
      const body = await res.json();
      detail = body.detail || detail;
    } catch (e) {
      // not JSON
    }
    throw new ApiError(res.status, detail);
  }
  return res.text();
}

let adminOn = false;
let timer = null;

async function refresh() {
  clearTimeout(timer);
  const [prom, health, admin] = await Promise.allSettled([
    fetchText('/actuator/prometheus'),
    fetch('/actuator/health', { headers: { ...authHeaders(), accept: 'application/json' } }).then((r) => r.json()),
    adminOn && token() ? fetchJson('/api/v1/admin/cache', { headers: authHeaders() }) : Promise.resolve(null),
  ]);
  const at = Date.now();
  if (prom.status === 'fulfilled') {
    const samples = parsePrometheus(prom.value);
    const now = { at };
    renderCache(now, samples);
    const calls = renderUpstream(now, samples);
    renderCircuits(samples, health.status === 'fulfilled' ? health.value : null);
    renderStreams(now, samples);
    renderTrend(calls, quoteHitRate(now, samples));
    previous = { at, values: new Map(samples.map((s) => [keyOf(s), s.value])) };
    const pill = $('#refreshed');
    pill.dataset.state = 'live';
    pill.textContent = 'Refreshed ' + new Date(at).toLocaleTimeString('en-US', { hour12: false });
  } else {
    const msg = 'Metrics could not be read: ' + describe(prom.reason);
    for (const p of [panels.cache, panels.upstream, panels.circuits, panels.streams, panels.trend]) {
      panelState(p, p.dataset.state === 'loading' || p.dataset.state === 'error' ? 'error' : 'stale', msg, refresh);
    }
    const pill = $('#refreshed');
    pill.dataset.state = 'reconnecting';
    pill.textContent = 'Refresh failed';
  }
  renderHealth(health.status === 'fulfilled' ? health.value : null, health.status === 'rejected' ? describe(health.reason) : null);
  if (admin.status === 'fulfilled') renderAdminCache(admin.value ? { value: admin.value } : null);
  else {
    const e = admin.reason;
    renderAdminCache({ error: e && e.status === 401 ? 'the token was refused (401): check it and enter it again.' : describe(e) });
  }
  timer = setTimeout(refresh, document.hidden ? REFRESH_MS * 4 : REFRESH_MS);
}

// ---------------------------------------------------------------- token form

$('#token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('#token');
  const v = input.value.trim();
  input.value = '';
  try {
    if (v) sessionStorage.setItem(TOKEN_KEY, v);
  } catch (err) {
    // sessionStorage unavailable: the token is not kept
  }
  panelState(panels.access, 'ready', v ? 'Token kept for this tab.' : null);
  refresh();
});
$('#forget').addEventListener('click', () => {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch (err) {
    // nothing kept
  }
  panelState(panels.access, 'ready', 'Token forgotten.');
  renderAdminCache(null);
});

features().then((f) => {
  adminOn = f.admin;
  if (!f.admin) {
    for (const el of panels.access.querySelectorAll('input, button')) el.disabled = true;
    fill($('[data-role=note]', panels.access), 'Admin endpoints are off on this gateway (no ', h('code', {}, 'quotegate.admin.token'), ' configured): metrics and health are shown, cache details are not.');
  } else if (token()) {
    panelState(panels.access, 'ready', 'Using the token kept for this tab.');
  }
  refresh();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) refresh();
});
