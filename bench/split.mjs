// The split path on one block (groupNorms -> bilevelRadii -> applyRadii)
// against the one-shot call, for l1,inf, l1,2 and l1,1, float32 and float64,
// interleaved in one process, beside a memcpy of the same bytes measured in
// the same process. Prints one JSON object; medians of `runs` runs.
// Target: split / one-shot <= 1.10 (README, "Scaling out").
//   flock /tmp/bp-bench.lock node bench/split.mjs [rows] [cols] [runs]
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(path.join(root, 'dist', 'index.js'));

const rows = Number(process.argv[2] ?? 2000), cols = Number(process.argv[3] ?? 2000), runs = Number(process.argv[4] ?? 15);
const median = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
const ms = (f) => {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

const cases = [];
for (const F of [Float32Array, Float64Array]) {
  const data = new F(rows * cols);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 4294967296 - 0.5;
  }
  const y = { data, rows, cols };
  const out = new F(data.length);
  for (const kind of ['l1inf', 'l12', 'l11']) {
    const oneShot = { l1inf: bp.bilevelL1Inf, l12: bp.bilevelL12, l11: bp.bilevelL11 }[kind];
    const normKind = { l1inf: 'linf', l12: 'l2', l11: 'l1' }[kind];
    const eta = bp.norm(y, kind) * 0.3;
    const norms = new Float64Array(cols), radii = new Float64Array(cols);
    const split = () => {
      bp.groupNorms(y, normKind, { out: norms });
      bp.bilevelRadii(norms, eta, { out: radii });
      return bp.applyRadii(y, radii, kind, { norms, out });
    };
    // Same bytes, checked once before timing.
    const a = Buffer.from(oneShot(y, eta).data.buffer), b = Buffer.from(split().data.buffer);
    if (!a.equals(b)) throw new Error(`split and one-shot differ (${F.name}, ${kind})`);
    const t = { memcpy: [], oneShot: [], split: [], norms: [], apply: [] };
    for (let r = 0; r < runs; r++) {
      t.memcpy.push(ms(() => out.set(data)));
      t.oneShot.push(ms(() => oneShot(y, eta, { out })));
      t.split.push(ms(split));
      t.norms.push(ms(() => bp.groupNorms(y, normKind, { out: norms })));
      t.apply.push(ms(() => bp.applyRadii(y, radii, kind, { norms, out })));
    }
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
    cases.push({
      dtype: F === Float32Array ? 'float32' : 'float64', kind, rows, cols,
      medianMs: m,
      oneShotOverMemcpy: m.oneShot / m.memcpy,
      splitOverMemcpy: m.split / m.memcpy,
      splitOverOneShot: m.split / m.oneShot,
    });
  }
}
process.stdout.write(JSON.stringify({ runs, threads: bp.getThreadCount(), cases }, null, 1) + '\n');
