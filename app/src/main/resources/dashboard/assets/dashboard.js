// The dashboard: watchlist with live prices, chart, search, portfolio, movers, sectors, news.
//
// Loading is progressive: the watchlist's prices first (one REST batch, painted at once, then
// the live stream), the chart once they are on screen, the other panels after it. Every panel
// has its own state (data-state: loading, ready, stale, error, empty) and a status line; an
// error shows the problem's detail and a retry, and a panel that has data keeps showing it
// (marked) when a refresh fails, so no panel goes blank.

import { h, fill, fmt, sign, fetchJson, postJson, features, panelState, describe, ApiError, reducedMotion } from './lib.js';
import { LiveQuotes } from './stream.js';
import { PriceChart } from './chart.js';

const DEFAULT_WATCHLIST = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM'];
const SYMBOL = /^\^?[A-Z0-9.=-]{1,16}$/;
/** The stream's per-connection limit (quotegate.streams.max-symbols, default 50). */
const MAX_SYMBOLS = 50;
const PERIODS = { '1D': '1d', '5D': '5d', '1M': '1mo', '6M': '6mo', '1Y': '1y', '5Y': '5y' };
const STORE_KEY = 'qg.dashboard';
const HOLDINGS_KEY = 'qg.holdings';
const EXAMPLE_HOLDINGS = 'symbol,quantity,costBasis\nAAPL,10,150\nMSFT,5,380\nNVDA,20,95\nJPM,12';

const $ = (sel, root = document) => root.querySelector(sel);
const panels = {
  summary: $('#summary'),
  watchlist: $('#watchlist'),
  chart: $('#chart'),
  portfolio: $('#portfolio'),
  movers: $('#movers'),
  sectors: $('#sectors'),
  news: $('#news'),
};
const announcer = h('div', { class: 'sr-only', 'aria-live': 'polite', id: 'announce' });
document.body.append(announcer);
function announce(text) {
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 30);
}

// ---------------------------------------------------------------- state (URL + localStorage)

function parseSymbols(text) {
  return [...new Set(String(text || '').split(',').map((s) => s.trim().toUpperCase()).filter((s) => SYMBOL.test(s)))].slice(0, MAX_SYMBOLS);
}

function loadState() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(STORE_KEY) || '{}') || {};
  } catch (e) {
    saved = {};
  }
  const q = new URLSearchParams(location.search);
  const symbols = q.has('symbols') ? parseSymbols(q.get('symbols')) : Array.isArray(saved.symbols) ? parseSymbols(saved.symbols.join(',')) : DEFAULT_WATCHLIST;
  const chart = (q.get('chart') || saved.chart || symbols[0] || 'AAPL').toUpperCase();
  const period = PERIODS[q.get('period')] ? q.get('period') : PERIODS[saved.period] ? saved.period : '1M';
  const type = (q.get('type') || saved.type) === 'line' ? 'line' : 'candles';
  const overlays = saved.overlays && typeof saved.overlays === 'object' ? saved.overlays : { sma20: true, sma50: false, bollinger: false };
  return { symbols, chart: SYMBOL.test(chart) ? chart : 'AAPL', period, type, overlays };
}

const state = loadState();

function saveState() {
  const q = new URLSearchParams(location.search);
  q.set('symbols', state.symbols.join(','));
  q.set('chart', state.chart);
  q.set('period', state.period);
  if (state.type === 'line') q.set('type', 'line');
  else q.delete('type');
  history.replaceState(null, '', location.pathname + '?' + q.toString().replaceAll('%2C', ',').replaceAll('%5E', '^'));
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(state));
  } catch (e) {
    // storage full or disabled: the URL still holds the watchlist
  }
}

// ---------------------------------------------------------------- watchlist

const rows = new Map();
const rowsBody = $('[data-role=rows]', panels.watchlist);
let firstPricesMarked = false;
let marketOpen = null;

function rowFor(symbol) {
  let r = rows.get(symbol);
  if (r) return r;
  const symBtn = h('button', { type: 'button', class: 'sym', 'aria-pressed': 'false', 'aria-label': 'Chart ' + symbol, onclick: () => selectChart(symbol) }, symbol);
  const price = h('td', { class: 'num price' }, '…');
  const change = h('td', { class: 'num change' });
  const pct = h('td', { class: 'num pct' });
  const age = h('span', { class: 'age-text' });
  const badge = h('span', { class: 'badge badge-stale', hidden: true }, 'stale');
  const ageCell = h('td', { class: 'num age' }, age, badge);
  const source = h('td', { class: 'opt source' });
  const remove = h('button', { type: 'button', class: 'icon', 'aria-label': 'Remove ' + symbol + ' from the watchlist', title: 'Remove', onclick: () => removeSymbol(symbol) }, '×');
  const tr = h('tr', { 'data-symbol': symbol, 'data-state': 'pending', 'data-ticks': '0' },
    h('th', { scope: 'row' }, symBtn), price, change, pct, ageCell, source, h('td', { class: 'actions' }, remove));
  r = { tr, symBtn, price, change, pct, age, badge, source, quote: null, receivedAt: 0, ticks: 0 };
  rows.set(symbol, r);
  return r;
}

function renderRows() {
  fill(rowsBody, ...state.symbols.map((s) => rowFor(s).tr));
  for (const s of [...rows.keys()]) if (!state.symbols.includes(s)) rows.delete(s);
  for (const [s, r] of rows) {
    const selected = s === state.chart;
    r.tr.classList.toggle('selected', selected);
    r.symBtn.setAttribute('aria-pressed', selected ? 'true' : 'false');
  }
  if (state.symbols.length === 0) {
    panelState(panels.watchlist, 'empty', 'Your watchlist is empty: add a symbol above or search for one.');
  }
}

function applyQuote(q) {
  const r = rows.get(q.symbol);
  if (!r) return;
  const prev = r.quote;
  r.quote = q;
  r.receivedAt = Date.now();
  r.ticks += 1;
  r.price.textContent = fmt.price(q.price);
  const dir = sign(q.change);
  r.change.textContent = fmt.change(q.change);
  r.pct.replaceChildren(h('span', { class: 'arrow', 'aria-hidden': 'true' }, dir === 'up' ? '▲' : dir === 'down' ? '▼' : ''), fmt.pct(q.changePercent));
  for (const c of [r.change, r.pct]) c.className = c.className.replace(/\b(up|down|flat)\b/g, '').trim() + ' ' + dir;
  r.source.textContent = q.source || '';
  r.badge.hidden = !q.stale;
  r.tr.dataset.state = q.stale ? 'stale' : 'ok';
  r.tr.dataset.ticks = String(r.ticks);
  r.tr.dataset.fetchedAt = q.fetchedAt || '';
  r.tr.title = q.stale ? 'Stale: upstream unavailable, last known value' : 'As of ' + fmt.time(q.asOf);
  if (prev && prev.price !== q.price && !reducedMotion()) {
    const cls = Number(q.price) > Number(prev.price) ? 'tick-up' : 'tick-down';
    r.price.classList.remove('tick-up', 'tick-down');
    void r.price.offsetWidth; // restart the animation
    r.price.classList.add(cls);
  }
  updateAge(r);
  if (typeof q.marketOpen === 'boolean') marketOpen = q.marketOpen;
}

function applySymbolError(e) {
  const r = rows.get(e.symbol);
  if (!r) return;
  if (r.quote && e.status >= 500) {
    // A value we already show stays, marked stale, rather than turning into an error.
    r.badge.hidden = false;
    r.tr.dataset.state = 'stale';
    return;
  }
  r.tr.dataset.state = 'error';
  r.price.textContent = '—';
  r.change.textContent = '';
  r.pct.textContent = '';
  r.age.textContent = e.status === 404 ? 'unknown' : 'unavailable';
  r.age.title = e.detail || '';
  r.badge.hidden = true;
}

function updateAge(r) {
  if (!r.quote) return;
  const ms = (r.quote.ageMs || 0) + (Date.now() - r.receivedAt);
  r.age.textContent = fmt.age(ms);
  r.age.title = 'Fetched ' + fmt.time(r.quote.fetchedAt);
}

function afterQuotes() {
  renderStaleBanner();
  renderMarket();
  renderSummaryFromQuotes();
  const any = [...rows.values()].some((r) => r.quote);
  if (any) {
    panelState(panels.watchlist, [...rows.values()].some((r) => r.quote && r.quote.stale) ? 'stale' : 'ready');
    if (!firstPricesMarked) {
      firstPricesMarked = true;
      // Marked once the frame with the prices has been painted.
      requestAnimationFrame(() => setTimeout(() => {
        performance.mark('qg:first-prices');
        startSecondWave();
      }, 0));
    }
  }
}

function renderStaleBanner() {
  const banner = $('[data-role=stale]', panels.watchlist);
  const stale = [...rows.values()].filter((r) => r.quote && r.quote.stale).map((r) => r.quote.symbol);
  banner.hidden = stale.length === 0;
  banner.textContent = stale.length === 0 ? '' : stale.length + (stale.length === 1 ? ' price is' : ' prices are')
    + ' stale: the provider is not answering, these are the last known values.';
}

function renderMarket() {
  const pill = $('#market');
  if (marketOpen === null) return;
  pill.dataset.state = marketOpen ? 'open' : 'closed';
  pill.textContent = marketOpen ? 'Market open' : 'Market closed';
}

async function loadWatchlist() {
  if (state.symbols.length === 0) return;
  panelState(panels.watchlist, 'loading', 'Loading prices…');
  try {
    const batch = await fetchJson('/api/v1/quotes?symbols=' + encodeURIComponent(state.symbols.join(',')));
    for (const q of batch.quotes || []) applyQuote(q);
    for (const e of batch.errors || []) applySymbolError(e);
    afterQuotes();
    if (!(batch.quotes || []).length) panelState(panels.watchlist, 'error', 'No prices: ' + ((batch.errors || [])[0] || {}).detail);
  } catch (e) {
    // The stream may still deliver; say what happened meanwhile.
    if (![...rows.values()].some((r) => r.quote)) panelState(panels.watchlist, 'error', 'Prices could not be loaded: ' + describe(e), loadWatchlist);
  }
}

const live = new LiveQuotes({
  onQuotes(quotes) {
    for (const q of quotes) applyQuote(q);
    afterQuotes();
  },
  onSymbolErrors(errors) {
    for (const e of errors) applySymbolError(e);
    renderStaleBanner();
  },
  onState(s, detail) {
    const pill = $('#conn');
    if (pill.dataset.state === s && !detail) return;
    pill.dataset.state = s;
    pill.textContent = s === 'live' ? 'Live' : s === 'reconnecting' ? 'Reconnecting…' : 'Connecting…';
    pill.title = s === 'live' ? 'Prices stream live from the gateway' : typeof detail === 'number' ? 'Next attempt in ' + detail + ' s' : detail || '';
  },
});

function addSymbol(symbol) {
  const s = symbol.trim().toUpperCase();
  const err = $('#add-error');
  if (!SYMBOL.test(s)) {
    err.hidden = false;
    err.textContent = '“' + symbol + '” is not a symbol: 1 to 16 of A–Z, 0–9, “.”, “-”, “=”, optionally led by “^”.';
    return false;
  }
  err.hidden = true;
  if (!state.symbols.includes(s)) {
    if (state.symbols.length >= MAX_SYMBOLS) {
      err.hidden = false;
      err.textContent = 'A watchlist holds at most ' + MAX_SYMBOLS + ' symbols: remove one first.';
      return false;
    }
    state.symbols.push(s);
    saveState();
    renderRows();
    live.follow(state.symbols);
    fetchJson('/api/v1/quotes?symbols=' + encodeURIComponent(s))
      .then((b) => {
        (b.quotes || []).forEach(applyQuote);
        (b.errors || []).forEach(applySymbolError);
        afterQuotes();
      })
      .catch(() => {});
    announce(s + ' added to the watchlist');
  }
  return true;
}

function removeSymbol(symbol) {
  state.symbols = state.symbols.filter((s) => s !== symbol);
  if (state.chart === symbol && state.symbols.length) state.chart = state.symbols[0];
  saveState();
  renderRows();
  live.follow(state.symbols);
  renderStaleBanner();
  announce(symbol + ' removed from the watchlist');
  const next = rowsBody.querySelector('button.sym');
  if (next) next.focus();
}

$('#add-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('#add-symbol');
  if (addSymbol(input.value)) input.value = '';
});

setInterval(() => {
  for (const r of rows.values()) updateAge(r);
}, 1000);

// ---------------------------------------------------------------- summary

let summaryRoute = false;

function renderSummaryFromQuotes() {
  if (summaryRoute) return;
  const quotes = [...rows.values()].map((r) => r.quote).filter(Boolean);
  if (!quotes.length) return;
  const up = quotes.filter((q) => q.change > 0).length;
  const down = quotes.filter((q) => q.change < 0).length;
  const best = quotes.reduce((a, b) => (Number(b.changePercent) > Number(a.changePercent) ? b : a));
  const worst = quotes.reduce((a, b) => (Number(b.changePercent) < Number(a.changePercent) ? b : a));
  const body = $('[data-role=body]', panels.summary);
  fill(body,
    h('dl', { class: 'kv' },
      h('div', {}, h('dt', {}, 'Market'), h('dd', {}, marketOpen === null ? '—' : marketOpen ? 'Open' : 'Closed')),
      h('div', {}, h('dt', {}, 'Watchlist'), h('dd', {}, h('span', { class: 'up' }, up + ' up'), ' · ', h('span', { class: 'down' }, down + ' down'))),
      h('div', {}, h('dt', {}, 'Best'), h('dd', {}, best.symbol + ' ', h('span', { class: sign(best.changePercent) }, fmt.pct(best.changePercent)))),
      h('div', {}, h('dt', {}, 'Worst'), h('dd', {}, worst.symbol + ' ', h('span', { class: sign(worst.changePercent) }, fmt.pct(worst.changePercent))))),
    h('p', { class: 'note', 'data-role': 'indices-note' }, 'Index levels and next open/close come with the gateway’s one-call summary, which this gateway does not offer yet.'));
  panelState(panels.summary, 'ready');
}

async function loadSummary() {
  try {
    const d = await fetchJson('/api/v1/dashboard?symbols=' + encodeURIComponent(state.symbols.join(',')));
    renderSummary(d);
  } catch (e) {
    panelState(panels.summary, 'error', 'The summary could not be loaded: ' + describe(e), loadSummary);
  }
}

/** The one-call summary (GET /api/v1/dashboard), read defensively: fields may be absent. */
function renderSummary(d) {
  const market = d.market || d.marketStatus || {};
  const open = typeof market.open === 'boolean' ? market.open : typeof market.isOpen === 'boolean' ? market.isOpen : market.status === 'open';
  if (typeof open === 'boolean') marketOpen = open;
  const indices = d.indices || d.indexQuotes || [];
  const watch = Array.isArray(d.quotes) ? d.quotes : d.watchlist && Array.isArray(d.watchlist.quotes) ? d.watchlist.quotes : Array.isArray(d.watchlist) ? d.watchlist : [];
  for (const q of watch) applyQuote(q);
  const body = $('[data-role=body]', panels.summary);
  const kv = h('dl', { class: 'kv' },
    h('div', {}, h('dt', {}, 'Market'), h('dd', {}, open ? 'Open' : 'Closed')),
    market.nextOpen ? h('div', {}, h('dt', {}, 'Next open'), h('dd', {}, fmt.time(market.nextOpen))) : null,
    market.nextClose ? h('div', {}, h('dt', {}, 'Next close'), h('dd', {}, fmt.time(market.nextClose))) : null);
  const tiles = indices.length
    ? h('ul', { class: 'tiles', 'aria-label': 'Indices' }, ...indices.map((q) => h('li', { class: 'tile' },
      h('span', { class: 'tile-sym' }, q.name || q.symbol), h('span', { class: 'tile-price' }, fmt.price(q.price)),
      h('span', { class: 'tile-chg ' + sign(q.changePercent) }, fmt.pct(q.changePercent)), q.stale ? h('span', { class: 'badge badge-stale' }, 'stale') : null)))
    : h('p', { class: 'note' }, 'No index quotes in the summary.');
  fill(body, kv, tiles);
  panelState(panels.summary, 'ready');
  if (watch.length) afterQuotes();
  renderMarket();
}

// ---------------------------------------------------------------- chart

const chartBox = $('[data-role=canvas]', panels.chart);
const chart = new PriceChart(chartBox, $('[data-role=readout]', panels.chart), onChartDrawn);
const chartCache = new Map();
let chartSeq = 0;
let chartAbort = null;
let chartMarked = false;

function onChartDrawn(model) {
  chartBox.dataset.state = 'drawn';
  chartBox.dataset.period = model.period;
  chartBox.dataset.symbol = model.symbol;
  chartBox.dataset.bars = String(model.bars.length);
  chartBox.dataset.type = model.type;
  if (!chartMarked) {
    chartMarked = true;
    performance.mark('qg:chart-drawn');
  }
}

function selectChart(symbol) {
  state.chart = symbol;
  saveState();
  renderRows();
  loadChart();
  loadNews();
}

function syncChartControls() {
  for (const b of panels.chart.querySelectorAll('[data-period]')) b.setAttribute('aria-pressed', b.dataset.period === state.period ? 'true' : 'false');
  for (const b of panels.chart.querySelectorAll('[data-type]')) b.setAttribute('aria-pressed', b.dataset.type === state.type ? 'true' : 'false');
  for (const c of panels.chart.querySelectorAll('[data-overlay]')) c.checked = !!state.overlays[c.dataset.overlay];
}

panels.chart.querySelector('[data-role=periods]').addEventListener('click', (e) => {
  const b = e.target.closest('[data-period]');
  if (!b || b.dataset.period === state.period) return;
  state.period = b.dataset.period;
  saveState();
  syncChartControls();
  loadChart();
});
panels.chart.querySelector('[data-role=types]').addEventListener('click', (e) => {
  const b = e.target.closest('[data-type]');
  if (!b || b.dataset.type === state.type) return;
  state.type = b.dataset.type;
  saveState();
  syncChartControls();
  drawCached();
});
panels.chart.querySelector('.overlays').addEventListener('change', (e) => {
  const c = e.target.closest('[data-overlay]');
  if (!c) return;
  state.overlays = { ...state.overlays, [c.dataset.overlay]: c.checked };
  saveState();
  loadChart();
});

function indicatorQuery() {
  const q = [];
  const sma = [];
  if (state.overlays.sma20) sma.push(20);
  if (state.overlays.sma50) sma.push(50);
  if (sma.length) q.push('sma=' + sma.join(','));
  if (state.overlays.bollinger) q.push('bollinger=20,2');
  return q.join('&');
}

function overlaysFrom(bars, indicators) {
  if (!indicators) return [];
  const index = new Map(bars.map((b, i) => [b.t, i]));
  const out = [];
  const aligned = (points, pick) => {
    const values = new Array(bars.length).fill(null);
    for (const p of points || []) {
      const i = index.get(p.t);
      if (i !== undefined) values[i] = pick(p);
    }
    return values;
  };
  const ind = indicators.indicators || {};
  if (ind['sma(20)']) out.push({ label: 'SMA 20', colour: 'sma1', values: aligned(ind['sma(20)'], (p) => p.value) });
  if (ind['sma(50)']) out.push({ label: 'SMA 50', colour: 'sma2', values: aligned(ind['sma(50)'], (p) => p.value) });
  const bb = ind['bollinger(20,2)'];
  if (bb) {
    out.push({ label: 'BB upper', colour: 'band', dash: true, values: aligned(bb, (p) => p.upper) });
    out.push({ label: 'BB middle', colour: 'band', dash: true, values: aligned(bb, (p) => p.middle) });
    out.push({ label: 'BB lower', colour: 'band', dash: true, values: aligned(bb, (p) => p.lower) });
  }
  return out;
}

function chartKey() {
  return state.chart + '|' + state.period + '|' + indicatorQuery();
}

function drawCached() {
  const c = chartCache.get(chartKey());
  if (c) draw(c);
}

function draw(c) {
  const model = { ...c, type: state.type };
  chart.render(model);
  const first = model.bars[0];
  const last = model.bars[model.bars.length - 1];
  const move = first && last ? ((last.c - first.o) / first.o) * 100 : null;
  chartBox.setAttribute('aria-label', model.symbol + ' ' + model.period + ' ' + (model.type === 'line' ? 'line' : 'candlestick') + ' chart: '
    + model.bars.length + ' bars of ' + model.interval + ' from ' + fmt.time(first.t) + ' to ' + fmt.time(last.t)
    + ', last close ' + fmt.price(last.c) + ', ' + fmt.pct(move) + ' over the period. Use the arrow keys to read each bar.');
  $('[data-role=meta]', panels.chart).textContent = model.bars.length + ' bars of ' + model.interval + ' · source ' + (model.source || '—')
    + ' · ' + (model.served || '') + ' · ' + fmt.pct(move) + ' over ' + model.period
    + (model.overlayError ? ' · overlays unavailable: ' + model.overlayError : '');
}

async function loadChart() {
  const symbol = state.chart;
  const period = state.period;
  const key = chartKey();
  const iq = indicatorQuery();
  const seq = ++chartSeq;
  if (chartAbort) chartAbort.abort();
  chartAbort = new AbortController();
  const signal = chartAbort.signal;
  $('[data-role=name]', panels.chart).textContent = symbol + ' · ' + period;
  const cached = chartCache.get(key);
  if (cached) draw(cached);
  if (!cached || Date.now() - cached.loadedAt > 60000) {
    panelState(panels.chart, cached ? 'ready' : 'loading', cached ? null : 'Loading ' + symbol + ' ' + period + '…');
    if (!cached) chartBox.dataset.state = 'loading';
  }
  try {
    const res = await fetchJson('/api/v1/charts/' + encodeURIComponent(symbol) + '?periods=' + period, { signal });
    const p = (res.periods || [])[0];
    if (!p) throw new ApiError(0, 'the gateway sent no period');
    if (p.error) throw new ApiError(p.error.status, p.error.detail);
    if (seq !== chartSeq) return;
    if (!p.bars || p.bars.length === 0) {
      chart.clear();
      chartBox.dataset.state = 'empty';
      panelState(panels.chart, 'empty', 'No bars for ' + symbol + ' over ' + period + '.');
      return;
    }
    let indicators = null;
    let overlayError = null;
    if (iq) {
      try {
        indicators = await fetchJson('/api/v1/indicators/' + encodeURIComponent(symbol) + '?range=' + PERIODS[period] + '&interval=' + p.interval + '&' + iq, { signal });
      } catch (e) {
        if (e.name === 'AbortError') return;
        overlayError = describe(e);
      }
    }
    if (seq !== chartSeq) return;
    const model = {
      symbol, period, interval: p.interval, bars: p.bars, source: p.source, served: p.served,
      overlays: overlaysFrom(p.bars, indicators), overlayError, loadedAt: Date.now(),
    };
    chartCache.set(key, model);
    draw(model);
    panelState(panels.chart, 'ready');
  } catch (e) {
    if (e.name === 'AbortError' || seq !== chartSeq) return;
    const old = chartCache.get(key);
    if (old) {
      panelState(panels.chart, 'stale', 'The chart could not be refreshed (' + describe(e) + '); showing data loaded ' + fmt.age(Date.now() - old.loadedAt) + ' ago.', loadChart);
    } else {
      chart.clear();
      chartBox.dataset.state = 'error';
      panelState(panels.chart, 'error', 'The ' + period + ' chart of ' + symbol + ' could not be loaded: ' + describe(e), loadChart);
    }
  }
}

// ---------------------------------------------------------------- movers, sectors, news

let moversKind = 'gainers';
const moversCache = new Map();

panels.movers.querySelector('[data-role=kinds]').addEventListener('click', (e) => {
  const b = e.target.closest('[data-kind]');
  if (!b) return;
  moversKind = b.dataset.kind;
  for (const x of panels.movers.querySelectorAll('[data-kind]')) x.setAttribute('aria-pressed', x === b ? 'true' : 'false');
  if (moversCache.has(moversKind)) renderMovers(moversCache.get(moversKind));
  loadMovers();
});

function coverageNote(c) {
  if (!c) return '';
  let s = c.quoted + ' of ' + c.universe + ' instruments quoted';
  if (c.missing) s += ', ' + c.missing + ' missing';
  if (c.stale) s += ', ' + c.stale + ' stale';
  return s;
}

function symbolButton(symbol, name) {
  return h('button', { type: 'button', class: 'sym', 'aria-label': 'Add ' + symbol + (name ? ' (' + name + ')' : '') + ' to the watchlist and chart it', onclick: () => {
    addSymbol(symbol);
    selectChart(symbol);
  } }, symbol);
}

function renderMovers(d) {
  const volume = moversKind === 'active';
  const table = h('table', { class: 'quotes' },
    h('caption', { class: 'sr-only' }, 'Top ' + moversKind),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Symbol'), h('th', { scope: 'col', class: 'opt' }, 'Name'),
      h('th', { scope: 'col', class: 'num' }, 'Price'), h('th', { scope: 'col', class: 'num' }, '%'),
      h('th', { scope: 'col', class: 'num' + (volume ? '' : ' opt') }, 'Volume'))),
    h('tbody', {}, ...(d.movers || []).map((m) => h('tr', { 'data-symbol': m.symbol, 'data-state': m.stale ? 'stale' : 'ok' },
      h('th', { scope: 'row' }, symbolButton(m.symbol, m.name)),
      h('td', { class: 'opt name' }, m.name || ''),
      h('td', { class: 'num' }, fmt.price(m.price), m.stale ? h('span', { class: 'badge badge-stale' }, 'stale') : null),
      h('td', { class: 'num ' + sign(m.changePercent) }, fmt.pct(m.changePercent)),
      h('td', { class: 'num' + (volume ? '' : ' opt') }, fmt.compact(m.volume))))));
  fill($('[data-role=body]', panels.movers), table);
  $('[data-role=meta]', panels.movers).textContent = coverageNote(d.coverage);
}

async function loadMovers() {
  const kind = moversKind;
  if (!moversCache.has(kind)) panelState(panels.movers, 'loading', 'Loading movers…');
  try {
    const d = await fetchJson('/api/v1/movers?type=' + kind + '&limit=8');
    moversCache.set(kind, d);
    if (kind !== moversKind) return;
    renderMovers(d);
    panelState(panels.movers, d.coverage && d.coverage.stale ? 'stale' : 'ready', d.coverage && d.coverage.stale ? 'Some movers are stale: ' + coverageNote(d.coverage) + '.' : null);
  } catch (e) {
    if (kind !== moversKind) return;
    panelState(panels.movers, moversCache.has(kind) ? 'stale' : 'error', (moversCache.has(kind) ? 'Movers could not be refreshed: ' : 'Movers could not be loaded: ') + describe(e), loadMovers);
  }
}

let sectorsData = null;

async function loadSectors() {
  if (!sectorsData) panelState(panels.sectors, 'loading', 'Loading sectors…');
  try {
    const d = await fetchJson('/api/v1/sectors');
    sectorsData = d;
    const sectors = [...(d.sectors || [])].sort((a, b) => b.averageChangePercent - a.averageChangePercent);
    const table = h('table', { class: 'quotes' },
      h('caption', { class: 'sr-only' }, 'Sectors by average change'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Sector'), h('th', { scope: 'col', class: 'num' }, 'Avg %'),
        h('th', { scope: 'col', class: 'num' }, h('abbr', { title: 'advancers / decliners' }, 'Up / down')),
        h('th', { scope: 'col', class: 'opt' }, 'Best'))),
      h('tbody', {}, ...sectors.map((s) => h('tr', {},
        h('th', { scope: 'row' }, s.sector),
        h('td', { class: 'num ' + sign(s.averageChangePercent) }, fmt.pct(s.averageChangePercent)),
        h('td', { class: 'num' }, h('span', { class: 'up' }, String(s.advancers)), ' / ', h('span', { class: 'down' }, String(s.decliners))),
        h('td', { class: 'opt' }, s.best ? s.best.symbol + ' ' + fmt.pct(s.best.changePercent) : '—')))));
    fill($('[data-role=body]', panels.sectors), table);
    $('[data-role=meta]', panels.sectors).textContent = 'Equal-weighted; ' + coverageNote(d.coverage);
    panelState(panels.sectors, d.coverage && d.coverage.stale ? 'stale' : 'ready', d.coverage && d.coverage.stale ? 'Some prices behind these figures are stale.' : null);
  } catch (e) {
    panelState(panels.sectors, sectorsData ? 'stale' : 'error', (sectorsData ? 'Sectors could not be refreshed: ' : 'Sectors could not be loaded: ') + describe(e), loadSectors);
  }
}

let newsFor = null;
let newsMulti = false;

async function loadNews() {
  const symbol = state.chart;
  const body = $('[data-role=body]', panels.news);
  const heading = $('#news-h');
  heading.textContent = newsMulti ? 'News · watchlist' : 'News · ' + symbol;
  if (newsFor !== symbol || !body.children.length) panelState(panels.news, 'loading', 'Loading news…');
  try {
    const url = newsMulti
      ? '/api/v1/news?symbols=' + encodeURIComponent(state.symbols.slice(0, 20).join(',')) + '&limit=10'
      : '/api/v1/news/' + encodeURIComponent(symbol) + '?limit=6';
    const d = await fetchJson(url);
    if (!newsMulti && symbol !== state.chart) return;
    newsFor = symbol;
    const items = d.news || [];
    fill(body, ...items.map((n) => h('li', {},
      h('a', { href: n.url, target: '_blank', rel: 'noopener noreferrer' }, n.headline),
      h('p', { class: 'meta' }, [n.publisher, fmt.ago(n.publishedAt), (n.symbols || []).join(', ')].filter(Boolean).join(' · ')),
      n.summary ? h('p', { class: 'summary' }, n.summary) : null)));
    panelState(panels.news, items.length ? 'ready' : 'empty', items.length ? null : 'No recent news for ' + symbol + '.');
  } catch (e) {
    panelState(panels.news, body.children.length ? 'stale' : 'error', (body.children.length ? 'News could not be refreshed: ' : 'News could not be loaded: ') + describe(e), loadNews);
  }
}

// ---------------------------------------------------------------- portfolio

let performanceRoute = false;

/** Parses "SYMBOL,QUANTITY[,COST]" lines (comma, semicolon, tab or spaces); a header line is skipped. */
function parseHoldings(text) {
  const holdings = [];
  const errors = [];
  const lines = String(text).split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = line.split(/[,;\t]|\s+/).map((c) => c.trim()).filter((c) => c !== '');
    if (i === 0 && /^symbol$/i.test(cells[0] || '')) return;
    const symbol = (cells[0] || '').toUpperCase();
    const quantity = Number(cells[1]);
    const cost = cells[2] === undefined ? null : Number(cells[2]);
    if (!SYMBOL.test(symbol)) errors.push('Line ' + (i + 1) + ': “' + (cells[0] || '') + '” is not a symbol.');
    else if (!Number.isFinite(quantity) || quantity === 0) errors.push('Line ' + (i + 1) + ': the quantity must be a non-zero number.');
    else if (cost !== null && (!Number.isFinite(cost) || cost < 0)) errors.push('Line ' + (i + 1) + ': the cost must be a number of at least 0.');
    else holdings.push(cost === null ? { symbol, quantity } : { symbol, quantity, costBasis: cost });
  });
  return { holdings, errors };
}

function renderValuation(v) {
  const totals = Object.entries(v.totals || {});
  const totalList = h('dl', { class: 'kv totals', 'data-role': 'totals' }, ...totals.flatMap(([cur, t]) => [
    h('div', {}, h('dt', {}, 'Value (' + cur + ')'), h('dd', { class: 'big', 'data-role': 'total-value' }, fmt.money(t.marketValue, cur))),
    h('div', {}, h('dt', {}, 'Day'), h('dd', { class: sign(t.dayChange) }, fmt.money(t.dayChange, cur) + ' (' + fmt.pct(t.dayChangePercent) + ')')),
    t.unrealizedPnl !== undefined && t.unrealizedPnl !== null
      ? h('div', {}, h('dt', {}, 'Unrealised'), h('dd', { class: sign(t.unrealizedPnl) }, fmt.money(t.unrealizedPnl, cur) + ' (' + fmt.pct(t.unrealizedPnlPercent) + ')'))
      : null,
  ]));
  const table = h('table', { class: 'quotes positions' },
    h('caption', { class: 'sr-only' }, 'Positions'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Symbol'), h('th', { scope: 'col', class: 'num' }, 'Qty'),
      h('th', { scope: 'col', class: 'num opt' }, 'Price'), h('th', { scope: 'col', class: 'num' }, 'Value'),
      h('th', { scope: 'col', class: 'num opt' }, 'Weight'), h('th', { scope: 'col', class: 'num' }, 'P&L'))),
    h('tbody', {}, ...(v.positions || []).map((p) => h('tr', { 'data-symbol': p.symbol },
      h('th', { scope: 'row' }, p.symbol, p.stale ? h('span', { class: 'badge badge-stale' }, 'stale') : null),
      h('td', { class: 'num' }, fmt.ratio(p.quantity)),
      h('td', { class: 'num opt' }, fmt.price(p.price)),
      h('td', { class: 'num' }, fmt.money(p.marketValue, p.currency)),
      h('td', { class: 'num opt' }, fmt.share(p.weight)),
      h('td', { class: 'num ' + sign(p.unrealizedPnl ?? p.dayChange) }, p.unrealizedPnl !== undefined && p.unrealizedPnl !== null ? fmt.money(p.unrealizedPnl, p.currency) : '—')))));
  const unpriced = (v.unpriced || []).length
    ? h('p', { class: 'banner' }, 'Not priced: ' + v.unpriced.map((u) => (u.symbol || u) + (u.detail ? ' (' + u.detail + ')' : '')).join(', ') + '.')
    : null;
  fill($('[data-role=result]', panels.portfolio), totalList, h('div', { class: 'table-wrap' }, table), unpriced,
    h('p', { class: 'meta' }, (v.complete ? 'Complete' : 'Incomplete') + (v.stale ? ' · some prices are stale' : '') + ' · valued ' + fmt.time(v.asOf)));
}

async function valuePortfolio() {
  const text = $('#holdings').value;
  const { holdings, errors } = parseHoldings(text);
  const err = $('#holdings-error');
  if (errors.length || holdings.length === 0) {
    err.hidden = false;
    err.textContent = errors.length ? errors.join(' ') : 'Enter at least one holding, e.g. AAPL,10,150.';
    return;
  }
  err.hidden = true;
  try {
    localStorage.setItem(HOLDINGS_KEY, text);
  } catch (e) {
    // not kept across visits; fine
  }
  panelState(panels.portfolio, 'loading', 'Valuing ' + holdings.length + ' holdings…');
  try {
    const v = await postJson('/api/v1/portfolio/valuation', { holdings });
    renderValuation(v);
    panelState(panels.portfolio, v.stale ? 'stale' : 'ready', v.stale ? 'Some prices are stale: the values use the last known prices.' : null);
    announce('Portfolio valued');
  } catch (e) {
    const params = e.problem && e.problem.invalidParams ? ' (' + e.problem.invalidParams.map((p) => p.name).join(', ') + ')' : '';
    panelState(panels.portfolio, 'error', 'The portfolio could not be valued: ' + describe(e) + params, valuePortfolio);
  }
  loadPerformance(holdings);
}

async function loadPerformance(holdings) {
  const box = $('[data-role=performance]', panels.portfolio);
  if (!performanceRoute) {
    fill(box, h('p', { class: 'note', 'data-role': 'performance-note' }, 'Performance against a benchmark (return, volatility, Sharpe, beta, drawdown) is not offered by this gateway yet.'));
    return;
  }
  if (!holdings.length) {
    fill(box, h('p', { class: 'note', 'data-role': 'performance-note' }, 'Value holdings to see their one-year performance against the benchmark.'));
    return;
  }
  fill(box, h('p', { class: 'state state-loading' }, 'Computing one-year performance against the benchmark…'));
  try {
    const p = await postJson('/api/v1/portfolio/performance', { holdings: holdings.map((x) => ({ symbol: x.symbol, quantity: x.quantity })), range: '1y' });
    const num = (v) => (v && typeof v === 'object' && 'value' in v ? v.value : v);
    const items = [
      ['Time-weighted return', num(p.timeWeightedReturn), 'fraction'],
      ['Benchmark' + (p.benchmark ? ' (' + (p.benchmark.symbol || p.benchmark) + ')' : ''), num(p.benchmarkReturn), 'fraction'],
      ['Excess return', num(p.excessReturn), 'fraction'],
      ['Volatility (annualised)', num(p.volatility), 'fraction'],
      ['Sharpe', num(p.sharpe), 'ratio'],
      ['Sortino', num(p.sortino), 'ratio'],
      ['Beta', num(p.beta), 'ratio'],
      ['Correlation', num(p.correlation), 'ratio'],
      ['Max drawdown', num(p.maxDrawdown), 'fraction'],
    ].filter(([, v]) => typeof v === 'number');
    fill(box, h('h3', {}, 'Performance, 1 year'),
      items.length
        ? h('dl', { class: 'kv' }, ...items.map(([k, v, kind]) => h('div', {}, h('dt', {}, k), h('dd', { class: kind === 'fraction' ? sign(v) : '' }, kind === 'fraction' ? fmt.fraction(v) : fmt.ratio(v)))))
        : h('p', { class: 'note' }, 'The gateway answered without figures.'));
  } catch (e) {
    fill(box, h('p', { class: 'state state-error' }, 'Performance could not be computed: ' + describe(e)));
  }
}

$('#portfolio-form').addEventListener('submit', (e) => {
  e.preventDefault();
  valuePortfolio();
});
$('[data-role=example]', panels.portfolio).addEventListener('click', () => {
  $('#holdings').value = EXAMPLE_HOLDINGS;
  valuePortfolio();
});

// ---------------------------------------------------------------- search (combobox)

const search = $('#search');
const list = $('#search-list');
let searchTimer = null;
let searchAbort = null;
let active = -1;
let options = [];

function closeList() {
  list.hidden = true;
  search.setAttribute('aria-expanded', 'false');
  search.removeAttribute('aria-activedescendant');
  active = -1;
}

function setActive(i) {
  active = i;
  options.forEach((o, k) => o.setAttribute('aria-selected', k === i ? 'true' : 'false'));
  if (i >= 0 && options[i]) {
    search.setAttribute('aria-activedescendant', options[i].id);
    options[i].scrollIntoView({ block: 'nearest' });
  } else {
    search.removeAttribute('aria-activedescendant');
  }
}

function choose(symbol) {
  closeList();
  search.value = '';
  if (addSymbol(symbol)) selectChart(symbol);
}

function showOptions(items, message) {
  options = items.map((r, i) => h('li', {
    role: 'option', id: 'opt-' + i, 'data-symbol': r.symbol, 'aria-selected': 'false',
    onmousedown: (e) => e.preventDefault(), onclick: () => choose(r.symbol),
  }, h('span', { class: 'opt-sym' }, r.symbol), h('span', { class: 'opt-name' }, r.name || ''), h('span', { class: 'opt-ex' }, r.exchange || '')));
  const nodes = options.length ? options : [h('li', { class: 'opt-empty', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false' }, message)];
  fill(list, ...nodes);
  list.hidden = false;
  search.setAttribute('aria-expanded', 'true');
  setActive(-1);
}

async function runSearch(q) {
  if (searchAbort) searchAbort.abort();
  searchAbort = new AbortController();
  try {
    const d = await fetchJson('/api/v1/search?q=' + encodeURIComponent(q) + '&limit=8', { signal: searchAbort.signal });
    if (search.value.trim() !== q) return;
    showOptions(d.results || [], 'No matches for “' + q + '”');
    announce((d.results || []).length + ' suggestions');
  } catch (e) {
    if (e.name === 'AbortError') return;
    showOptions([], 'Search failed: ' + describe(e));
  }
}

search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  const q = search.value.trim();
  if (!q) {
    closeList();
    return;
  }
  searchTimer = setTimeout(() => runSearch(q.slice(0, 64)), 120);
});
search.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') {
    e.preventDefault();
    if (list.hidden && search.value.trim()) runSearch(search.value.trim());
    else if (options.length) setActive((active + 1) % options.length);
  } else if (e.key === 'ArrowUp') {
    e.preventDefault();
    if (options.length) setActive(active <= 0 ? options.length - 1 : active - 1);
  } else if (e.key === 'Enter') {
    e.preventDefault();
    if (active >= 0 && options[active]) choose(options[active].dataset.symbol);
    else if (options.length === 1) choose(options[0].dataset.symbol);
    else if (SYMBOL.test(search.value.trim().toUpperCase())) choose(search.value.trim().toUpperCase());
  } else if (e.key === 'Escape') {
    if (!list.hidden) closeList();
    else search.value = '';
  }
});
search.addEventListener('blur', () => setTimeout(closeList, 100));
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
    e.preventDefault();
    search.focus();
  }
});

// ---------------------------------------------------------------- start

let secondWaveStarted = false;

/** After the first prices are painted: the chart, then the panels below the fold. */
function startSecondWave() {
  if (secondWaveStarted) return;
  secondWaveStarted = true;
  if (panels.summary.dataset.state === 'loading' && !summaryRoute) {
    fill($('[data-role=body]', panels.summary), h('p', { class: 'note' }, state.symbols.length
      ? 'No price has arrived yet; the summary follows the first prices.'
      : 'Add symbols to the watchlist to see a summary here.'));
    panelState(panels.summary, 'empty');
  }
  loadChart().finally(() => {
    loadMovers();
    loadSectors();
    loadNews();
    const stored = localStorage.getItem(HOLDINGS_KEY);
    if (stored) {
      $('#holdings').value = stored;
      valuePortfolio();
    } else {
      loadPerformance([]);
    }
  });
  setInterval(() => {
    if (document.hidden) return;
    loadMovers();
    loadSectors();
  }, 30000);
  setInterval(() => !document.hidden && loadNews(), 120000);
  setInterval(() => !document.hidden && loadChart(), 60000);
}

saveState();
renderRows();
syncChartControls();
$('[data-role=name]', panels.chart).textContent = state.chart + ' · ' + state.period;
panelState(panels.summary, 'loading', 'Loading…');
loadWatchlist();
live.follow(state.symbols);
features().then((f) => {
  summaryRoute = f.has('GET /api/v1/dashboard');
  performanceRoute = f.has('POST /api/v1/portfolio/performance');
  newsMulti = f.has('GET /api/v1/news');
  if (summaryRoute) loadSummary();
  else renderSummaryFromQuotes();
});
// Without any price (empty watchlist, or all failing) the rest of the page still loads.
setTimeout(startSecondWave, 4000);
