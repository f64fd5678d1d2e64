// Small, dependency-free SVG charts for the project's figures (benchmarks,
// the paper's figures, SAE runs): line and scatter charts with named series,
// linear or log axes, legend and dashed fitted curves; a heatmap for weight
// matrices (exact zeros get their own colour, so zeroed columns show); and a
// helper that stacks panels vertically. Every function returns a standalone
// SVG document as a string; the same input always gives the same bytes.
import { deflateSync } from 'zlib';

// ---------------------------------------------------------------------------
// Public types

export interface Axis {
  label?: string;
  /** Logarithmic scale: non-positive values are left out. */
  log?: boolean;
  /** Force the domain ends (otherwise taken from the data and rounded to ticks). */
  min?: number;
  max?: number;
  /** Tick label text (default: compact decimal). */
  format?: (v: number) => string;
}

export type SeriesMode = 'line' | 'markers' | 'line+markers';

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Default 'line'. 'markers' makes a scatter plot. */
  mode?: SeriesMode;
  /** CSS colour; default from a colour-blind-safe palette, in series order. */
  color?: string;
  dashed?: boolean;
  /** Stroke width in px (default 2). */
  width?: number;
}

/** A curve y = f(x) drawn dashed over the x domain, e.g. a least-squares fit. */
export interface FitCurve {
  name: string;
  f: (x: number) => number;
  color?: string;
  /** Sample points (default 200). */
  samples?: number;
}

/** 'auto' (the default) takes the corner that covers the fewest plotted points. */
export type LegendPosition = 'auto' | 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';

export interface LineChartSpec {
  title?: string;
  series: Series[];
  fits?: FitCurve[];
  x?: Axis;
  y?: Axis;
  /** Default 720 x 420 px. */
  width?: number;
  height?: number;
  legend?: LegendPosition;
}

export interface HeatmapSpec {
  title?: string;
  /** Row-major matrix; entry (i, j) is data[i * cols + j], drawn at row i, column j. */
  data: ArrayLike<number>;
  rows: number;
  cols: number;
  /**
   * 'magnitude' (default): |v| on a dark-to-bright scale, exact zeros in
   * zeroColor (default white), so an all-zero column is a white stripe.
   * 'signed': negative blue, positive red, exact zeros in zeroColor (default black).
   */
  scale?: 'magnitude' | 'signed';
  /** Colour by log10 |v| (magnitude scale only): weights span decades. */
  logColor?: boolean;
  zeroColor?: string;
  xLabel?: string;
  yLabel?: string;
  /** Caption of the colour bar. */
  valueLabel?: string;
  /** Default: 720 x 420, or more so that each entry gets at least a pixel (up to 4096). */
  width?: number;
  height?: number;
}

export interface PanelOptions {
  title?: string;
  /** Vertical space between panels in px (default 10). */
  gap?: number;
}

// ---------------------------------------------------------------------------
// Shared helpers

export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const FONT = 'font-family="sans-serif"';

/** Escapes text for element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A coordinate with 2 decimals (callers pass only finite numbers). */
function n2(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Compact tick text: 0.001, 12.5, 3e+6 ... (up to 4 significant digits). */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

function open(width: number, height: number, body: string, title?: string): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">\n`;
  const t = title ? `<title>${escapeXml(title)}</title>\n` : '';
  return `${head}${t}<rect width="${width}" height="${height}" fill="#ffffff"/>\n${body}</svg>\n`;
}

/** A short, deterministic id suffix from the content (FNV-1a), so nested panels never clash. */
function idOf(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

// ---------------------------------------------------------------------------
// Scales and ticks

interface Scale {
  lo: number;
  hi: number;
  log: boolean;
  ticks: number[];
  /** Value -> [0, 1] along the axis. */
  t: (v: number) => number;
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

function makeScale(values: number[], axis: Axis | undefined, target: number): Scale {
  const log = axis?.log === true;
  const vals = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let lo = Infinity, hi = -Infinity;
  for (const v of vals) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!vals.length) { lo = log ? 1 : 0; hi = log ? 10 : 1; }
  if (log) {
    let a = Math.log10(lo), b = Math.log10(hi);
    if (b - a < 1e-12) { a -= 0.5; b += 0.5; }
    if (b - a >= 1) { a = Math.floor(a); b = Math.ceil(b); } else { const pad = 0.05 * (b - a); a -= pad; b += pad; }
    lo = 10 ** a; hi = 10 ** b;
  } else {
    if (hi - lo <= Math.abs(hi) * 1e-12) { const pad = Math.abs(hi) * 0.1 || 1; lo -= pad; hi += pad; }
    const step = niceStep(hi - lo, target);
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  }
  if (axis?.min !== undefined && Number.isFinite(axis.min) && (!log || axis.min > 0)) lo = axis.min;
  if (axis?.max !== undefined && Number.isFinite(axis.max) && (!log || axis.max > 0)) hi = axis.max;
  if (!(hi > lo)) hi = log ? lo * 10 : lo + 1;
  const t = log
    ? (v: number) => (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
    : (v: number) => (v - lo) / (hi - lo);
  return { lo, hi, log, ticks: log ? logTicks(lo, hi) : linearTicks(lo, hi, target), t };
}

function linearTicks(lo: number, hi: number, target: number): number[] {
  const step = niceStep(hi - lo, target);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9), b = Math.floor(Math.log10(hi) + 1e-9);
  const decades: number[] = [];
  for (let k = a; k <= b; k++) decades.push(Number((10 ** k).toPrecision(12)));
  if (decades.length >= 3) return decades;
  // Under three decades: add 2x and 5x.
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out.length >= 2 ? out : [lo, hi];
}

// ---------------------------------------------------------------------------
// Line and scatter charts

/** A line or scatter chart with several named series and optional dashed fitted curves. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 720, height = spec.height ?? 420;
  const m = { left: 72, right: 20, top: spec.title ? 40 : 16, bottom: spec.x?.label ? 54 : 36 };
  if (spec.y?.label) m.left += 14;
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const fits = spec.fits ?? [];

  const xs: number[] = [], ys: number[] = [];
  for (const s of spec.series) {
    const k = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < k; i++) {
      if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) { xs.push(s.x[i]); ys.push(s.y[i]); }
    }
  }
  const sx = makeScale(xs, spec.x, Math.max(2, Math.round(pw / 90)));
  const fitPoints = fits.map((f) => sampleCurve(f, sx));
  for (const pts of fitPoints) for (const [, y] of pts) ys.push(y);
  const sy = makeScale(ys, spec.y, Math.max(2, Math.round(ph / 60)));
  const ok = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!sx.log || x > 0) && (!sy.log || y > 0);
  const px = (x: number) => m.left + sx.t(x) * pw;
  const py = (y: number) => m.top + (1 - sy.t(y)) * ph;

  let body = '';
  // The id depends only on the clip rectangle, so equal ids in stacked panels mean equal rectangles.
  const clip = `plot-${idOf(`${m.left},${m.top},${pw},${ph}`)}`;
  body += `<defs><clipPath id="${clip}"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>\n`;
  body += axes(sx, sy, m.left, m.top, pw, ph, spec.x, spec.y);

  body += `<g clip-path="url(#${clip})" fill="none" stroke-linejoin="round" stroke-linecap="round">\n`;
  const entries: LegendEntry[] = [];
  const plotted: [number, number][] = []; // pixel positions, for the legend's placement
  spec.series.forEach((s, idx) => {
    const color = s.color ?? PALETTE[idx % PALETTE.length];
    const mode = s.mode ?? 'line';
    const w = s.width ?? 2;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const pts: [number, number][] = [];
    const k = Math.min(s.x.length, s.y.length);
    const segments: string[] = [];
    let seg: string[] = [];
    let prev: [number, number] | null = null;
    for (let i = 0; i < k; i++) {
      if (!ok(s.x[i], s.y[i])) { if (seg.length) segments.push(seg.join(' ')); seg = []; prev = null; continue; }
      const p: [number, number] = [px(s.x[i]), py(s.y[i])];
      pts.push(p);
      seg.push(`${n2(p[0])},${n2(p[1])}`);
      if (prev && mode !== 'markers') plotted.push(...between(prev, p));
      prev = p;
    }
    if (seg.length) segments.push(seg.join(' '));
    plotted.push(...pts);
    body += `<g class="series" data-name="${escapeXml(s.name)}">`;
    if (mode !== 'markers') {
      for (const sg of segments) body += `<polyline points="${sg}" stroke="${escapeXml(color)}" stroke-width="${w}"${dash}/>`;
    }
    if (mode !== 'line') {
      for (const [x, y] of pts) body += `<circle cx="${n2(x)}" cy="${n2(y)}" r="3" fill="${escapeXml(color)}" stroke="none"/>`;
    }
    body += '</g>\n';
    entries.push({ name: s.name, color, line: mode !== 'markers', marker: mode !== 'line', dashed: s.dashed === true });
  });
  fits.forEach((f, idx) => {
    const color = f.color ?? PALETTE[(spec.series.length + idx) % PALETTE.length];
    const inside = fitPoints[idx].filter(([x, y]) => ok(x, y)).map(([x, y]): [number, number] => [px(x), py(y)]);
    plotted.push(...inside);
    const pts = inside.map(([x, y]) => `${n2(x)},${n2(y)}`);
    body += `<g class="fit" data-name="${escapeXml(f.name)}">`;
    if (pts.length > 1) body += `<polyline points="${pts.join(' ')}" stroke="${escapeXml(color)}" stroke-width="1.75" stroke-dasharray="6 4"/>`;
    body += '</g>\n';
    entries.push({ name: f.name, color, line: true, marker: false, dashed: true });
  });
  body += '</g>\n';

  if (spec.title) body += `<text x="${n2(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>\n`;
  const where = spec.legend ?? 'auto';
  if (where !== 'none' && entries.length) body += legend(entries, where, plotted, m.left, m.top, pw, ph);
  return open(width, height, body, spec.title);
}

/** Points every ~8 px along a segment (so the legend avoids lines, not just markers). */
function between(a: [number, number], b: [number, number]): [number, number][] {
  const steps = Math.min(200, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 8));
  const out: [number, number][] = [];
  for (let i = 1; i < steps; i++) out.push([a[0] + ((b[0] - a[0]) * i) / steps, a[1] + ((b[1] - a[1]) * i) / steps]);
  return out;
}

function sampleCurve(f: FitCurve, sx: Scale): [number, number][] {
  const n = Math.max(2, f.samples ?? 200);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const u = i / (n - 1);
    const x = sx.log ? sx.lo * (sx.hi / sx.lo) ** u : sx.lo + (sx.hi - sx.lo) * u;
    const y = f.f(x);
    if (Number.isFinite(y)) out.push([x, y]);
  }
  return out;
}

function axes(sx: Scale, sy: Scale, left: number, top: number, pw: number, ph: number, ax?: Axis, ay?: Axis): string {
  const fx = ax?.format ?? formatTick, fy = ay?.format ?? formatTick;
  let s = '<g class="axes" stroke="#000000" stroke-width="1">\n';
  s += `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#444444"/>\n`;
  for (const v of sx.ticks) {
    const x = n2(left + sx.t(v) * pw);
    s += `<line x1="${x}" y1="${top}" x2="${x}" y2="${n2(top + ph)}" stroke="#e5e5e5"/>`;
    s += `<line x1="${x}" y1="${n2(top + ph)}" x2="${x}" y2="${n2(top + ph + 5)}"/>`;
    s += `<text x="${x}" y="${n2(top + ph + 18)}" text-anchor="middle" stroke="none">${escapeXml(fx(v))}</text>\n`;
  }
  for (const v of sy.ticks) {
    const y = n2(top + (1 - sy.t(v)) * ph);
    s += `<line x1="${left}" y1="${y}" x2="${n2(left + pw)}" y2="${y}" stroke="#e5e5e5"/>`;
    s += `<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}"/>`;
    s += `<text x="${left - 8}" y="${y}" dy="0.32em" text-anchor="end" stroke="none">${escapeXml(fy(v))}</text>\n`;
  }
  if (ax?.label) s += `<text x="${n2(left + pw / 2)}" y="${n2(top + ph + 42)}" text-anchor="middle" font-size="13" stroke="none">${escapeXml(ax.label)}</text>\n`;
  if (ay?.label) {
    const cy = n2(top + ph / 2);
    s += `<text x="16" y="${cy}" transform="rotate(-90 16 ${cy})" text-anchor="middle" dy="0.32em" font-size="13" stroke="none">${escapeXml(ay.label)}</text>\n`;
  }
  return s + '</g>\n';
}

interface LegendEntry { name: string; color: string; line: boolean; marker: boolean; dashed: boolean }

const CORNERS = ['top-right', 'top-left', 'bottom-right', 'bottom-left'] as const;

function legend(entries: LegendEntry[], where: LegendPosition, plotted: [number, number][], left: number, top: number, pw: number, ph: number): string {
  const rowH = 18, pad = 8, sample = 28;
  // Width from the longest name at ~6.6 px per character of 12 px sans-serif.
  const w = pad * 2 + sample + 6 + Math.max(...entries.map((e) => e.name.length)) * 6.6;
  const h = pad * 2 + entries.length * rowH - 4;
  const box = (pos: string): [number, number] => [
    pos.endsWith('left') ? left + 10 : left + pw - w - 10,
    pos.startsWith('bottom') ? top + ph - h - 10 : top + 10,
  ];
  let pos: string = where;
  if (where === 'auto') {
    // The first corner with the fewest points under it (a 6 px margin around the box).
    let best = Infinity;
    for (const c of CORNERS) {
      const [bx, by] = box(c);
      const hits = plotted.filter(([x, y]) => x > bx - 6 && x < bx + w + 6 && y > by - 6 && y < by + h + 6).length;
      if (hits < best) { best = hits; pos = c; }
    }
  }
  const [x0, y0] = box(pos);
  let s = `<g class="legend"><rect x="${n2(x0)}" y="${n2(y0)}" width="${n2(w)}" height="${n2(h)}" fill="#ffffff" fill-opacity="0.85" stroke="#999999"/>\n`;
  entries.forEach((e, i) => {
    const cy = y0 + pad + i * rowH + 6;
    const c = escapeXml(e.color);
    if (e.line) s += `<line x1="${n2(x0 + pad)}" y1="${n2(cy)}" x2="${n2(x0 + pad + sample)}" y2="${n2(cy)}" stroke="${c}" stroke-width="2"${e.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    if (e.marker) s += `<circle cx="${n2(x0 + pad + sample / 2)}" cy="${n2(cy)}" r="3" fill="${c}"/>`;
    s += `<text x="${n2(x0 + pad + sample + 6)}" y="${n2(cy)}" dy="0.32em">${escapeXml(e.name)}</text>\n`;
  });
  return s + '</g>\n';
}

// ---------------------------------------------------------------------------
// Heatmap

const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];
const DIVERGING: [number, number, number][] = [
  [33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43],
];

function ramp(stops: [number, number, number][], t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u)), f = u - i;
  const a = stops[i], b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

function hex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function parseColor(c: string): [number, number, number] {
  const m = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(c.trim());
  if (!m) throw new RangeError(`Expected a colour like '#ffffff' or '#fff' but received ${JSON.stringify(c)}`);
  const h = m[1].length === 3 ? [...m[1]].map((d) => d + d).join('') : m[1];
  return [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16)) as [number, number, number];
}

/**
 * A matrix drawn as an image (one pixel per entry, scaled without smoothing)
 * with a colour bar. Exact zeros take `zeroColor`, so a column the projection
 * zeroed is a clean stripe.
 */
export function heatmap(spec: HeatmapSpec): string {
  const { rows, cols, data } = spec;
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1 || data.length !== rows * cols) {
    throw new RangeError(`heatmap: expected data of length rows * cols with rows, cols >= 1 (rows ${rows}, cols ${cols}, length ${data.length})`);
  }
  const signed = spec.scale === 'signed';
  const zero = parseColor(spec.zeroColor ?? (signed ? '#000000' : '#ffffff'));
  const logColor = !signed && spec.logColor === true;
  const m = { left: spec.yLabel ? 70 : 56, right: 110, top: spec.title ? 40 : 16, bottom: spec.xLabel ? 54 : 36 };
  // By default every entry gets at least a pixel (up to 4096 px), so no zeroed column is resampled away.
  const width = spec.width ?? Math.min(4096, Math.max(720, cols + m.left + m.right));
  const height = spec.height ?? Math.min(4096, Math.max(420, rows + m.top + m.bottom));
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;

  let maxAbs = 0, minPos = Infinity;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (!Number.isFinite(a)) continue;
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minPos) minPos = a;
  }
  const lo = logColor && minPos < Infinity ? Math.log10(minPos) : 0;
  const hi = logColor && maxAbs > 0 ? Math.log10(maxAbs) : maxAbs;
  const colorOf = (v: number): [number, number, number] => {
    if (v === 0 || !Number.isFinite(v)) return zero;
    if (signed) return ramp(DIVERGING, maxAbs > 0 ? 0.5 + v / (2 * maxAbs) : 0.5);
    const a = logColor ? Math.log10(Math.abs(v)) : Math.abs(v);
    return ramp(VIRIDIS, hi > lo ? (a - lo) / (hi - lo) : 1);
  };
  const rgb = new Uint8Array(rows * cols * 3);
  for (let i = 0; i < rows * cols; i++) rgb.set(colorOf(data[i]), i * 3);
  const png = encodePng(rgb, cols, rows);

  let body = '';
  body += `<image x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="data:image/png;base64,${png.toString('base64')}"/>\n`;
  body += `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444444"/>\n`;
  // Index ticks: centres of the first and last cells and round numbers between.
  const cellTicks = (count: number, span: number, target: number) => {
    const step = Math.max(1, Math.floor(niceStep(count, target)));
    const out: number[] = [];
    for (let k = 0; k < count; k += step) out.push(k);
    if (out[out.length - 1] !== count - 1 && (count - 1 - out[out.length - 1]) * (span / count) > 30) out.push(count - 1);
    return out;
  };
  body += '<g class="axes" stroke="#000000">\n';
  for (const j of cellTicks(cols, pw, Math.max(2, Math.round(pw / 90)))) {
    const x = n2(m.left + ((j + 0.5) / cols) * pw);
    body += `<line x1="${x}" y1="${m.top + ph}" x2="${x}" y2="${m.top + ph + 5}"/><text x="${x}" y="${m.top + ph + 18}" text-anchor="middle" stroke="none">${j}</text>\n`;
  }
  for (const i of cellTicks(rows, ph, Math.max(2, Math.round(ph / 60)))) {
    const y = n2(m.top + ((i + 0.5) / rows) * ph);
    body += `<line x1="${m.left - 5}" y1="${y}" x2="${m.left}" y2="${y}"/><text x="${m.left - 8}" y="${y}" dy="0.32em" text-anchor="end" stroke="none">${i}</text>\n`;
  }
  if (spec.xLabel) body += `<text x="${n2(m.left + pw / 2)}" y="${m.top + ph + 42}" text-anchor="middle" font-size="13" stroke="none">${escapeXml(spec.xLabel)}</text>\n`;
  if (spec.yLabel) {
    const cy = n2(m.top + ph / 2);
    body += `<text x="16" y="${cy}" transform="rotate(-90 16 ${cy})" text-anchor="middle" dy="0.32em" font-size="13" stroke="none">${escapeXml(spec.yLabel)}</text>\n`;
  }
  body += '</g>\n';
  body += colorBar(m.left + pw + 20, m.top, Math.min(ph, 240), signed, logColor, lo, hi, maxAbs, hex(zero), spec.valueLabel,
    `bar-${idOf(`${rows}x${cols}:${spec.title ?? ''}:${signed}:${logColor}`)}`);
  if (spec.title) body += `<text x="${n2(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>\n`;
  return open(width, height, body, spec.title);
}

function colorBar(x: number, y: number, h: number, signed: boolean, logColor: boolean, lo: number, hi: number,
  maxAbs: number, zero: string, label: string | undefined, id: string): string {
  const w = 14, stops = signed ? DIVERGING : VIRIDIS;
  let s = `<defs><linearGradient id="${id}" x1="0" y1="1" x2="0" y2="0">`;
  stops.forEach((c, i) => { s += `<stop offset="${n2(i / (stops.length - 1))}" stop-color="${hex(c)}"/>`; });
  s += '</linearGradient></defs>\n';
  s += `<g class="colorbar"><rect x="${x}" y="${y}" width="${w}" height="${h}" fill="url(#${id})" stroke="#444444"/>\n`;
  const top = signed ? maxAbs : logColor ? 10 ** hi : hi;
  const bottom = signed ? -maxAbs : logColor ? 10 ** lo : 0;
  s += `<text x="${x + w + 5}" y="${y}" dy="0.8em">${escapeXml(formatTick(top))}</text>`;
  s += `<text x="${x + w + 5}" y="${y + h}">${escapeXml(formatTick(bottom))}</text>\n`;
  s += `<rect x="${x}" y="${y + h + 12}" width="${w}" height="${w}" fill="${zero}" stroke="#444444"/>`;
  s += `<text x="${x + w + 5}" y="${y + h + 12 + w / 2}" dy="0.32em">exactly 0</text>\n`;
  if (label) s += `<text x="${x}" y="${y + h + 48}" font-size="11">${escapeXml(label)}</text>\n`;
  return s + '</g>\n';
}

// PNG (8-bit RGB, no interlace): signature, IHDR, one zlib IDAT, IEND.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes width x height RGB pixels (row-major, 3 bytes each) as a PNG file. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let r = 0; r < height; r++) {
    raw[r * (1 + width * 3)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + r * width * 3, width * 3).copy(raw, r * (1 + width * 3) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// ---------------------------------------------------------------------------
// Panels

/**
 * Stacks charts (SVG documents from this module) vertically into one SVG,
 * with an optional overall title; each panel keeps its own coordinates.
 */
export function stackPanels(panels: string[], opts: PanelOptions = {}): string {
  const gap = opts.gap ?? 10;
  const head = opts.title ? 36 : 0;
  let y = head, width = 0, body = '';
  for (const p of panels) {
    const m = /<svg\b[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(p);
    if (!m) throw new RangeError('stackPanels: expected SVG documents with width and height (as this module makes)');
    const w = Number(m[1]), h = Number(m[2]);
    const inner = p.replace(/^<\?xml[^>]*>\s*/, '').replace(/^<svg\b/, `<svg x="0" y="${y}"`);
    body += `${inner}`;
    y += h + gap;
    width = Math.max(width, w);
  }
  const height = Math.max(1, y - (panels.length ? gap : 0));
  if (opts.title) body = `<text x="${n2(width / 2)}" y="24" text-anchor="middle" font-size="17" font-weight="bold">${escapeXml(opts.title)}</text>\n${body}`;
  return open(Math.max(width, 1), height, body, opts.title);
}
