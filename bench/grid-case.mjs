// One shape and dtype of the regime grid (bench/grid.mjs), in its own
// process: for each data kind and radius, every method timed on the same
// matrix, with a memcpy of that matrix measured in the same process. Prints
// one JSON object on stdout.
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(path.join(root, 'dist', 'index.js'));

const spec = JSON.parse(process.argv[2]);
const { rows, cols, dtype, reps, kinds, radii, methods: wanted, threads: threadModes, seed = 1 } = spec;
const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
const n = rows * cols;

// Deterministic data (an LCG: speed matters here, statistical quality hardly).
function generator(s0) {
  let s = s0 >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296; // in (0, 1)
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}

function makeData(kind) {
  const g = generator(seed * 7919 + rows * 31 + cols + kind.length * 1000003);
  const a = new Ctor(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'uniform') a[i] = g.u();
    else if (kind === 'gauss') a[i] = g.normal();
    else if (kind === 'cauchy') a[i] = Math.tan(Math.PI * (g.u() - 0.5));
    else a[i] = g.u() < 0.9 ? 0 : g.normal(); // sparse
  }
  return a;
}

function time(fn, r) {
  fn(); // warm-up
  const ms = [];
  for (let k = 0; k < r; k++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[ms.length >> 1], min: ms[0], max: ms[ms.length - 1], runs: r };
}

const out = new Ctor(n);
// Each method with the norm its radius is a fraction of.
const catalogue = {
  bilevelL1Inf: { norm: 'l1inf', run: (y, eta) => bp.bilevelL1Inf(y, eta, { out }) },
  bilevelL11: { norm: 'l11', run: (y, eta) => bp.bilevelL11(y, eta, { out }) },
  bilevelL12: { norm: 'l12', run: (y, eta) => bp.bilevelL12(y, eta, { out }) },
  exactDefault: { norm: 'l1inf', run: (y, eta) => bp.projectL1Inf(y, eta, { out }) },
};
for (const m of bp.EXACT_METHODS) {
  catalogue[`exact:${m}`] = { norm: 'l1inf', run: (y, eta) => bp.projectL1Inf(y, eta, { out, method: m }) };
}

const defaultThreads = bp.getThreadCount();
const result = { rows, cols, dtype, defaultThreads, cells: [] };
for (const kind of kinds) {
  const data = makeData(kind);
  const y = { data, rows, cols };
  const norms = { l1inf: bp.norm(y, 'l1inf'), l11: bp.norm(y, 'l11'), l12: bp.norm(y, 'l12') };
  for (const threads of threadModes) {
    bp.setThreadCount(threads === 'default' ? 0 : 1);
    for (const r of radii) {
      // Measured just before the cell's methods: a shared machine's memory
      // bandwidth drifts over a run.
      const memcpy = time(() => out.set(data), reps);
      const cell = { kind, radius: r, threads, memcpyMs: memcpy.median, times: {}, ratio: {}, zeroGroups: {} };
      for (const name of wanted) {
        const c = catalogue[name];
        if (!c) continue;
        const eta = r === 'eta=1' ? 1 : r * norms[c.norm];
        // The O(nm log nm) reference method is slow: fewer runs (still the median of >= 5).
        const t = time(() => c.run(y, eta), name === 'exact:sort' ? Math.min(reps, 5) : reps);
        cell.times[name] = t;
        cell.ratio[name] = t.median / memcpy.median;
        cell.zeroGroups[name] = c.run(y, eta).zeroGroups;
      }
      result.cells.push(cell);
    }
  }
}
bp.setThreadCount(0);
process.stdout.write(JSON.stringify(result));
