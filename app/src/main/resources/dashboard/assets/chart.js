// The price chart: uPlot (from its WebJar, a global `uPlot`) on a canvas, candles or a line,
// volume bars at the bottom, SMA and Bollinger overlays. Bars are placed by index, not by
// time, so nights, weekends and holidays leave no gaps (as stock charts do); the axis labels
// and the read-out give each bar's time.

import { fmt } from './lib.js';

function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function palette() {
  return {
    fg: cssVar('--fg-muted', '#555'),
    grid: cssVar('--grid', 'rgba(0,0,0,0.08)'),
    up: cssVar('--up', '#0a7d32'),
    down: cssVar('--down', '#c62828'),
    line: cssVar('--accent', '#1f5fbf'),
    sma1: cssVar('--series-1', '#b35c00'),
    sma2: cssVar('--series-2', '#7b3fb5'),
    band: cssVar('--series-3', '#4a7d8c'),
    volume: cssVar('--volume', 'rgba(100,110,130,0.35)'),
  };
}

const NY = 'America/New_York';

/** An axis label (short, by period) or, withDay, the read-out's full time of a bar. */
function timeLabel(iso, interval, withDay, period) {
  const d = new Date(iso);
  const intraday = interval.endsWith('m') || interval === '1h';
  const time = d.toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: NY });
  if (withDay) {
    const day = d.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: NY });
    return intraday ? day + ' ' + time : day;
  }
  if (period === '1D') return time;
  if (period === '5D') return d.toLocaleDateString('en-US', { weekday: 'short', timeZone: NY }) + ' ' + time;
  if (interval === '1wk') return d.toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: NY });
  return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: NY });
}

/** Path builder drawing the candles whose close is above (up=true) or below their open. */
function candles(bars, up) {
  return (u, seriesIdx, idx0, idx1) => {
    const stroke = new Path2D();
    const fill = new Path2D();
    const slot = Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true));
    const w = Math.max(1, Math.min(24, Math.floor(slot * 0.65)));
    for (let i = idx0; i <= idx1; i++) {
      const b = bars[i];
      if (!b) continue;
      const isUp = b.c >= b.o;
      if (isUp !== up) continue;
      const x = Math.round(u.valToPos(i, 'x', true));
      const yh = u.valToPos(b.h, 'price', true);
      const yl = u.valToPos(b.l, 'price', true);
      const yo = u.valToPos(b.o, 'price', true);
      const yc = u.valToPos(b.c, 'price', true);
      stroke.moveTo(x + 0.5, yh);
      stroke.lineTo(x + 0.5, yl);
      const top = Math.min(yo, yc);
      fill.rect(x - Math.floor(w / 2), top, w, Math.max(1, Math.abs(yo - yc)));
    }
    return { stroke, fill };
  };
}

/** The price scale covers every low and high (and overlay) of the series, with a margin. */
function priceRange(bars, overlays) {
  let min = Infinity;
  let max = -Infinity;
  for (const b of bars) {
    if (b.l < min) min = b.l;
    if (b.h > max) max = b.h;
  }
  for (const arr of overlays) {
    for (const v of arr) {
      if (v === null || v === undefined) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min)) return [0, 1];
  const pad = (max - min) * 0.06 || Math.abs(max) * 0.01 || 1;
  return [min - pad, max + pad];
}

export class PriceChart {
  /**
   * @param {HTMLElement} container where the canvas goes (role=img, labelled by the caller)
   * @param {HTMLElement} readout where the bar under the cursor is described
   * @param {function} onDrawn called after every draw with the model drawn
   */
  constructor(container, readout, onDrawn) {
    this.container = container;
    this.readout = readout;
    this.onDrawn = onDrawn;
    this.plot = null;
    this.model = null;
    this.cursorIdx = null;
    // Resized on the next frame: resizing inside the observer's callback would loop it.
    this.resize = new ResizeObserver(() => requestAnimationFrame(() => this.fit()));
    this.resize.observe(container);
    container.addEventListener('keydown', (e) => this.key(e));
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.model && this.render(this.model));
  }

  size() {
    const width = Math.max(280, Math.floor(this.container.clientWidth));
    const height = width < 560 ? 240 : 340;
    return { width, height };
  }

  fit() {
    if (!this.plot) return;
    const s = this.size();
    if (s.width !== this.plot.width || s.height !== this.plot.height) this.plot.setSize(s);
  }

  /**
   * Draws {bars:[{t,o,h,l,c,v}], interval, type:'candles'|'line', overlays:[{label, values, kind}]}.
   */
  render(model) {
    this.model = model;
    const { bars, interval } = model;
    const p = palette();
    const xs = bars.map((_, i) => i);
    const closes = bars.map((b) => b.c);
    const volumes = bars.map((b) => (b.v === null || b.v === undefined ? null : b.v));
    const overlays = model.overlays || [];
    const series = [{ label: 'Time' }];
    const data = [xs];
    if (model.type === 'candles') {
      series.push({ label: 'Up', scale: 'price', stroke: p.up, fill: p.up, width: 1, paths: candles(bars, true), points: { show: false } });
      series.push({ label: 'Down', scale: 'price', stroke: p.down, fill: p.down, width: 1, paths: candles(bars, false), points: { show: false } });
      data.push(closes, closes);
    } else {
      series.push({ label: 'Close', scale: 'price', stroke: p.line, width: 2, points: { show: false } });
      data.push(closes);
    }
    const hasVolume = volumes.some((v) => v !== null);
    if (hasVolume) {
      series.push({
        label: 'Volume', scale: 'vol', stroke: 'transparent', fill: p.volume, width: 0,
        paths: uPlot.paths.bars({ size: [0.7, 24] }), points: { show: false },
      });
      data.push(volumes);
    }
    const colours = { sma1: p.sma1, sma2: p.sma2, band: p.band };
    for (const o of overlays) {
      series.push({
        label: o.label, scale: 'price', stroke: colours[o.colour] || p.sma1, width: o.dash ? 1 : 1.5,
        dash: o.dash ? [5, 4] : undefined, points: { show: false }, spanGaps: false,
      });
      data.push(o.values);
    }
    const range = priceRange(bars, overlays.map((o) => o.values));
    const maxVol = hasVolume ? Math.max(...volumes.filter((v) => v !== null)) : 1;
    const opts = {
      ...this.size(),
      legend: { show: false },
      cursor: { y: false, points: { show: false }, drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: (u, min, max) => [min - 0.6, max + 0.6] },
        price: { range: () => range },
        vol: { range: () => [0, maxVol * 4] },
      },
      axes: [
        {
          stroke: p.fg, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 }, space: 90,
          incrs: [1, 2, 3, 5, 6, 10, 12, 13, 20, 26, 50, 52, 100, 200, 500, 1000],
          values: (u, splits) => splits.map((i) => {
            const b = bars[Math.round(i)];
            return b && Number.isInteger(i) ? timeLabel(b.t, interval, false, model.period) : '';
          }),
        },
        {
          scale: 'price', side: 1, stroke: p.fg, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 },
          size: 64, values: (u, splits) => splits.map((v) => fmt.price(v)),
        },
      ],
      series,
      hooks: {
        draw: [() => this.onDrawn && this.onDrawn(model)],
        setCursor: [(u) => this.describe(u.cursor.idx)],
      },
    };
    if (this.plot) this.plot.destroy();
    this.plot = new uPlot(opts, data, this.container);
    this.describe(null);
  }

  describe(idx) {
    const m = this.model;
    if (!m || !this.readout) return;
    const i = idx === null || idx === undefined ? m.bars.length - 1 : idx;
    const b = m.bars[i];
    if (!b) {
      this.readout.textContent = '';
      return;
    }
    this.cursorIdx = idx;
    const parts = [
      timeLabel(b.t, m.interval, true, m.period),
      'O ' + fmt.price(b.o), 'H ' + fmt.price(b.h), 'L ' + fmt.price(b.l), 'C ' + fmt.price(b.c),
    ];
    if (b.v !== null && b.v !== undefined) parts.push('Vol ' + fmt.compact(b.v));
    for (const o of m.overlays || []) {
      const v = o.values[i];
      if (v !== null && v !== undefined) parts.push(o.label + ' ' + fmt.price(v));
    }
    this.readout.textContent = parts.join(' · ');
  }

  /** Left/right arrows walk the bars (read out to screen readers), Home/End jump. */
  key(e) {
    const m = this.model;
    if (!m || !this.plot || m.bars.length === 0) return;
    let i = this.cursorIdx === null || this.cursorIdx === undefined ? m.bars.length - 1 : this.cursorIdx;
    if (e.key === 'ArrowLeft') i = Math.max(0, i - 1);
    else if (e.key === 'ArrowRight') i = Math.min(m.bars.length - 1, i + 1);
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = m.bars.length - 1;
    else return;
    e.preventDefault();
    const left = this.plot.valToPos(i, 'x');
    const top = this.plot.valToPos(m.bars[i].c, 'price');
    this.plot.setCursor({ left, top });
    this.describe(i);
  }

  /** Whether the canvas has something drawn on it (a test reads this through the DOM). */
  painted() {
    const canvas = this.container.querySelector('canvas');
    if (!canvas || canvas.width === 0) return 0;
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let k = 3; k < data.length; k += 16) if (data[k] !== 0) n++;
    return n;
  }

  clear() {
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
    }
    this.model = null;
  }
}
