// Shared helpers of the dashboard and the operations view: DOM building (text only, never
// HTML strings), number and time formatting, JSON fetches that turn problem+json answers into
// errors carrying the problem's detail, and the list of routes this gateway has.

/** Builds an element: h('td', {class: 'num', 'data-x': 1}, 'text', child, ...). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren(...children.filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

const priceFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallPriceFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const pctFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const compactFmt = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const shareFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ratioFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const fmt = {
  price(v) {
    if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
    const n = Number(v);
    return Math.abs(n) < 1 && n !== 0 ? smallPriceFmt.format(n) : priceFmt.format(n);
  },
  change(v) {
    if (v === null || v === undefined) return '—';
    const n = Number(v);
    return (n > 0 ? '+' : '') + fmt.price(n);
  },
  pct(v) {
    if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
    return pctFmt.format(Number(v)) + '%';
  },
  /** A fraction (0.1234) as a percentage. */
  fraction(v) {
    if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
    return pctFmt.format(Number(v) * 100) + '%';
  },
  /** A fraction (0.1234) as an unsigned share: "12.34%". */
  share(v) {
    if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
    return shareFmt.format(Number(v) * 100) + '%';
  },
  compact(v) {
    return v === null || v === undefined ? '—' : compactFmt.format(Number(v));
  },
  int(v) {
    return v === null || v === undefined ? '—' : intFmt.format(Number(v));
  },
  ratio(v) {
    return v === null || v === undefined || Number.isNaN(Number(v)) ? '—' : ratioFmt.format(Number(v));
  },
  money(v, currency) {
    if (v === null || v === undefined) return '—';
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(Number(v));
    } catch (e) {
      return priceFmt.format(Number(v)) + ' ' + currency;
    }
  },
  /** An age in milliseconds, short: "3 s", "2 min", "5 h". */
  age(ms) {
    if (ms === null || ms === undefined || ms < 0) return '—';
    const s = Math.floor(ms / 1000);
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    const hr = Math.floor(m / 60);
    if (hr < 48) return hr + ' h';
    return Math.floor(hr / 24) + ' d';
  },
  /** Time since an ISO instant, for news: "12 min ago". */
  ago(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return '';
    // A clock a little ahead of this browser's still reads as recent, not as a negative age.
    return Date.now() - t < 60000 ? 'just now' : fmt.age(Date.now() - t) + ' ago';
  },
  time(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
  },
};

/** Sign class for colouring: 'up', 'down' or 'flat'. */
export function sign(v) {
  const n = Number(v);
  return n > 0 ? 'up' : n < 0 ? 'down' : 'flat';
}

/** An error from the API, with the problem's detail when the answer was problem+json. */
export class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }
}

/**
 * Fetches JSON. Resolves with the body of a 2xx; rejects with an ApiError carrying the
 * problem's detail (or a plain description of the failure) otherwise.
 */
/** Longest wait for an answer: a request the gateway never answers becomes an error, not an endless spinner. */
export const REQUEST_TIMEOUT_MS = 15000;

/** Requests in flight, by id: "url @start ms" (read by the end-to-end tests when a panel hangs). */
export const inflight = new Map();
window.__qgInflight = inflight;
let nextId = 0;

export async function fetchJson(url, options = {}) {
  const id = ++nextId;
  inflight.set(id, url + ' @' + Math.round(performance.now()));
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res;
  try {
    res = await fetch(url, { ...options, signal, headers: { accept: 'application/json', ...(options.headers || {}) } });
  } catch (e) {
    if (timeout.aborted) throw new ApiError(0, 'The gateway did not answer within ' + REQUEST_TIMEOUT_MS / 1000 + ' s.');
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The gateway cannot be reached (' + (e && e.message ? e.message : 'network error') + ').');
  } finally {
    inflight.delete(id);
  }
  const type = res.headers.get('content-type') || '';
  let body = null;
  if (type.includes('json')) {
    try {
      body = await res.json();
    } catch (e) {
      if (timeout.aborted) throw new ApiError(0, 'The gateway did not finish its answer within ' + REQUEST_TIMEOUT_MS / 1000 + ' s.');
      if (e && e.name === 'AbortError') throw e;
      body = null;
    }
  }
  if (res.ok && body === null) throw new ApiError(res.status, 'The gateway sent an answer that is not JSON.');
  if (!res.ok) {
    const detail = body && (body.detail || body.title) ? body.detail || body.title : 'HTTP ' + res.status + ' ' + res.statusText;
    throw new ApiError(res.status, detail, body);
  }
  return body;
}

/** POSTs JSON and reads JSON. */
export function postJson(url, value, options = {}) {
  return fetchJson(url, {
    method: 'POST',
    body: JSON.stringify(value),
    ...options,
    headers: { 'content-type': 'application/json', ...(options.headers || {}) },
  });
}

let featuresPromise = null;

/**
 * Which API routes this gateway has ("GET /api/v1/dashboard", ...), so a panel that needs an
 * endpoint from a later release is shown only when the endpoint is there. Never rejects: when
 * the list cannot be read every optional feature is treated as absent.
 */
export function features() {
  if (!featuresPromise) {
    featuresPromise = fetchJson('/dashboard/features')
      .then((f) => ({ routes: new Set(f.routes || []), admin: !!f.admin }))
      .catch(() => ({ routes: new Set(), admin: false }));
  }
  return featuresPromise.then((f) => ({
    has: (route) => f.routes.has(route),
    admin: f.admin,
  }));
}

/** Sets a panel's state attribute and its status line (loading, error with a retry, or nothing). */
export function panelState(panel, state, message, retry) {
  panel.dataset.state = state;
  panel.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  const line = panel.querySelector('[data-role=state]');
  if (!line) return;
  if (!message) {
    fill(line);
    line.hidden = true;
    return;
  }
  line.hidden = false;
  line.className = 'state state-' + state;
  const parts = [h('span', { text: message })];
  if (retry) {
    parts.push(' ', h('button', { type: 'button', class: 'link', onclick: retry }, 'Retry'));
  }
  fill(line, ...parts);
}

/** A user-facing sentence for an error. */
export function describe(e) {
  if (e instanceof ApiError) return e.detail;
  return e && e.message ? e.message : String(e);
}

/** Whether the user asked for less motion. */
export const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;
