// One shape and dtype of the regime grid (bench/grid.mjs), in its own
// process: for each data kind and radius, every method timed on the same
// matrix, with a memcpy of that matrix measured in the same process. Prints
// one JSON object on stdout.
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
