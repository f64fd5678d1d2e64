// A labelled heatmap for the regime grid: one row per cell (shape, data,
// radius), one column per method, colour = time as a multiple of a memcpy on
// a log scale (green: about a memcpy, red: 100x and beyond), the value
// printed in each box. Plain SVG, no dependency.

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// log10 ratio 0 (1x) -> green, 1 (10x) -> yellow, 2 (100x) -> red.
function colour(v) {
  if (!(v > 0)) return '#eeeeee';
  const t = Math.min(1, Math.max(0, Math.log10(v) / 2));
  const lerp = (a, b, u) => Math.round(a + (b - a) * u);
  const [r, g, b] = t < 0.5
    ? [lerp(26, 254, t * 2), lerp(152, 224, t * 2), lerp(80, 139, t * 2)]
    : [lerp(254, 215, (t - 0.5) * 2), lerp(224, 48, (t - 0.5) * 2), lerp(139, 39, (t - 0.5) * 2)];
  return `rgb(${r},${g},${b})`;
}

/**
 * rows: [{ label, values: number[] (NaN = not measured) }], columns: string[]
 * (the first `oursColumns` are ours, the rest published codes, drawn after a gap).
 */
export function gridHeatmap({ title, rows, columns, oursColumns }) {
  const cw = 64, ch = 15, left = 190, top = 120, gap = 14;
  const x = (j) => left + j * cw + (j >= oursColumns ? gap : 0);
  const width = x(columns.length) + 20, height = top + rows.length * ch + 60;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="10">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${left}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${left}" y="34" font-size="10">time as a multiple of a memcpy of the matrix, one thread, float64 (medians); right block: published codes, from the anchors</text>`);
  columns.forEach((c, j) => {
    const cx = x(j) + cw / 2;
    out.push(`<text transform="translate(${cx},${top - 6}) rotate(-45)" font-size="10">${esc(c)}</text>`);
  });
  rows.forEach((r, i) => {
    const y = top + i * ch;
    out.push(`<text x="${left - 4}" y="${y + ch - 4}" text-anchor="end">${esc(r.label)}</text>`);
    r.values.forEach((v, j) => {
      out.push(`<rect x="${x(j)}" y="${y}" width="${cw - 1}" height="${ch - 1}" fill="${colour(v)}"/>`);
      if (Number.isFinite(v)) {
        const txt = v >= 100 ? v.toFixed(0) : v.toFixed(1);
        out.push(`<text x="${x(j) + cw / 2}" y="${y + ch - 4}" text-anchor="middle" fill="${Math.log10(v) > 1.6 ? 'white' : 'black'}">${txt}</text>`);
      }
    });
  });
  // Colour bar.
  const by = top + rows.length * ch + 20;
  const stops = [1, 2, 5, 10, 20, 50, 100, 300];
  stops.forEach((v, k) => {
    out.push(`<rect x="${left + k * 50}" y="${by}" width="49" height="12" fill="${colour(v)}"/>`);
    out.push(`<text x="${left + k * 50 + 25}" y="${by + 24}" text-anchor="middle">${v}x</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
