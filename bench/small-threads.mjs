// `node bench/small-threads.mjs`: a 100 x 1000 call (below the size where
// passes are split) must not be slower with the default thread count than
// with one thread. Medians of 2001 calls each, interleaved in rounds so that
// drift on a shared machine hits both alike. Prints one JSON object.
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(path.join(root, 'dist', 'index.js'));

const rows = 100, cols = 1000;
const data = new Float64Array(rows * cols);
let s = 7;
for (let i = 0; i < data.length; i++) {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  data[i] = s / 4294967296 - 0.5;
}
const y = { data, rows, cols };
const out = new Float64Array(data.length);
const eta = 0.5 * bp.norm(y, 'l1inf');
const fns = {
  exactDefault: () => bp.projectL1Inf(y, eta, { out }),
  bilevelL1Inf: () => bp.bilevelL1Inf(y, eta, { out }),
};
const result = { rows, cols, defaultThreads: bp.getThreadCount(), medianMicros: {} };
for (const [name, fn] of Object.entries(fns)) {
  const t = { one: [], default: [] };
  for (let round = 0; round < 2001; round++) {
    for (const mode of round % 2 ? ['one', 'default'] : ['default', 'one']) {
      bp.setThreadCount(mode === 'one' ? 1 : 0);
      const t0 = process.hrtime.bigint();
      fn();
      t[mode].push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
  }
  const med = (a) => a.sort((p, q) => p - q)[a.length >> 1];
  result.medianMicros[name] = { one: med(t.one), default: med(t.default) };
}
bp.setThreadCount(0);
process.stdout.write(JSON.stringify(result) + '\n');
