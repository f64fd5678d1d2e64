// What a user without the addon would write: the paper's Algorithm 1 in
// plain JavaScript/TypeScript (column maxima, a sort-based l1-ball
// projection of them, then clipping), for the "plain TS" column of the
// benchmark.
export function plainBilevelL1Inf(data, rows, cols, eta, out) {
  const colMax = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(data[base + j]);
      if (a > colMax[j]) colMax[j] = a;
    }
  }
  // l1-ball projection of colMax (non-negative) by sorting.
  let total = 0;
  for (let j = 0; j < cols; j++) total += colMax[j];
  const u = new Float64Array(cols);
  if (total <= eta) u.set(colMax);
  else {
    const sorted = Float64Array.from(colMax).sort().reverse();
    let prefix = 0, tau = 0;
    for (let k = 0; k < cols; k++) {
      prefix += sorted[k];
      const t = (prefix - eta) / (k + 1);
      if (k + 1 === cols || t >= sorted[k + 1]) { tau = t; break; }
    }
    for (let j = 0; j < cols; j++) u[j] = Math.max(colMax[j] - tau, 0);
  }
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[base + j], c = u[j];
      // biome-ignore lint/complexity/useMathMinMax: the loop as a user writes it; kept as benchmarked
      out[base + j] = v > c ? c : v < -c ? -c : v;
    }
  }
  return u;
}
