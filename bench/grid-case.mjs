// One shape and dtype of the regime grid (bench/grid.mjs), in its own
// process: for each data kind and radius, every method timed on the same
// matrix, each run paired with a memcpy of that matrix just before it (a
// shared machine's bandwidth drifts within seconds: the median of per-pair
// ratios keeps one slow stretch from landing on only the memcpys or only the
// runs). A float32 job also times the float64 call of the same cell in
// alternation with the float32 one, so the float32 / float64 quotient is
// paired too. Prints one JSON object on stdout.
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';
import { gridData } from './grid-data.mjs';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(path.join(root, 'dist', 'index.js'));

const spec = JSON.parse(process.argv[2]);
const { rows, cols, dtype, reps, kinds, radii, methods: wanted, threads: threadModes, seed = 1 } = spec;
const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
const n = rows * cols;

function makeData(kind) {
  return gridData(rows, cols, kind, seed, Ctor);
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1], runs: s.length };
};

// r runs after a warm-up, each right after a memcpy of the matrix (copy),
// and, when other is given, beside a run of other: before the memcpy on odd
// repetitions, after the run on even ones, so that the memcpy always comes
// just before the run and the two calls take turns at going first.
function time(fn, copy, r, other) {
  fn();
  if (other) other();
  const ms = [], copies = [], ratios = [], others = [], quotients = [];
  const timed = (f) => {
    const t0 = now();
    f();
    return now() - t0;
  };
  for (let k = 0; k < r; k++) {
    const o1 = other && k % 2 ? timed(other) : undefined;
    const c = timed(copy);
    const t = timed(fn);
    const o = other ? (k % 2 ? o1 : timed(other)) : undefined;
    ms.push(t);
    copies.push(c);
    ratios.push(t / c);
    if (other) {
      others.push(o);
      quotients.push(t / o);
    }
  }
  return { ...stats(ms), pairedRatio: median(ratios), copies: stats(copies), ...(other ? { other: stats(others), pairedQuotient: median(quotients) } : {}) };
}

const out = new Ctor(n);
// float32 jobs time the float64 call beside each float32 one.
const out64 = dtype === 'float32' ? new Float64Array(n) : null;
// Each method with the norm its radius is a fraction of; o is the output.
const catalogue = {
  bilevelL1Inf: { norm: 'l1inf', run: (y, eta, o) => bp.bilevelL1Inf(y, eta, { out: o }) },
  bilevelL11: { norm: 'l11', run: (y, eta, o) => bp.bilevelL11(y, eta, { out: o }) },
  bilevelL12: { norm: 'l12', run: (y, eta, o) => bp.bilevelL12(y, eta, { out: o }) },
  exactDefault: { norm: 'l1inf', run: (y, eta, o) => bp.projectL1Inf(y, eta, { out: o }) },
};
for (const m of bp.EXACT_METHODS) {
  catalogue[`exact:${m}`] = { norm: 'l1inf', run: (y, eta, o) => bp.projectL1Inf(y, eta, { out: o, method: m }) };
}

// The first second or two of a fresh process ran slow more than once (the
// first cell of a grid run at 5.0x memcpy, its re-timing 2.0x: the host's
// page merging or frequency, not explained), so before the first cell the
// process runs every method but the slow 'sort' on the first kind and
// radius, untimed, for at least settleMs (and twice at least), with the
// float64 twin of a float32 job beside it.
const settleMs = 1500;
function settle(y, norms, copy, y64, norms64) {
  const r = radii[0];
  const t0 = now();
  for (let round = 0; round < 2 || now() - t0 < settleMs; round++) {
    for (const name of wanted) {
      const c = catalogue[name];
      if (!c || name === 'exact:sort') continue;
      copy();
      c.run(y, r === 'eta=1' ? 1 : r * norms[c.norm], out);
      if (y64) c.run(y64, r === 'eta=1' ? 1 : r * norms64[c.norm], out64);
    }
  }
}

const defaultThreads = bp.getThreadCount();
const result = { rows, cols, dtype, defaultThreads, cells: [] };
let settled = false;
for (const kind of kinds) {
  const data = makeData(kind);
  const y = { data, rows, cols };
  const y64 = out64 ? { data: gridData(rows, cols, kind, seed, Float64Array), rows, cols } : null;
  const normsOf = (m) => ({ l1inf: bp.norm(m, 'l1inf'), l11: bp.norm(m, 'l11'), l12: bp.norm(m, 'l12') });
  const norms = normsOf(y);
  const norms64 = y64 ? normsOf(y64) : null;
  const copy = () => out.set(data);
  if (!settled) {
    bp.setThreadCount(threadModes[0] === 'default' ? 0 : 1);
    settle(y, norms, copy, y64, norms64);
    settled = true;
  }
  for (const threads of threadModes) {
    bp.setThreadCount(threads === 'default' ? 0 : 1);
    for (const r of radii) {
      const cell = { kind, radius: r, threads, memcpyMs: 0, times: {}, ratio: {}, zeroGroups: {}, ...(y64 ? { f32over64: {} } : {}) };
      const copies = [];
      for (const name of wanted) {
        const c = catalogue[name];
        if (!c) continue;
        const eta = r === 'eta=1' ? 1 : r * norms[c.norm];
        const other = y64 ? () => c.run(y64, r === 'eta=1' ? 1 : r * norms64[c.norm], out64) : undefined;
        // The O(nm log nm) reference method is slow: fewer runs (still the median of >= 5).
        const t = time(() => c.run(y, eta, out), copy, name === 'exact:sort' ? Math.min(reps, 5) : reps, other);
        cell.times[name] = t;
        cell.ratio[name] = t.pairedRatio;
        if (y64) cell.f32over64[name] = t.pairedQuotient;
        cell.zeroGroups[name] = c.run(y, eta, out).zeroGroups;
        copies.push(t.copies.median);
      }
      cell.memcpyMs = median(copies);
      result.cells.push(cell);
    }
  }
}
bp.setThreadCount(0);
process.stdout.write(JSON.stringify(result));
