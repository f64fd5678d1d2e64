// `node bench/cell-check.mjs '<json list of {shape, kind, radius}>'`: re-times
// single grid cells of the default exact method with each run paired with a
// memcpy right before it (11 pairs after a warm-up), and reports the median
// of the per-pair ratios. On a shared machine whose load drifts within
// seconds, pairing keeps a slow memcpy and a fast projection (or the reverse)
// from landing in different halves of the run. Prints one JSON line per cell
// and seed. Seeds: one (`12`), a list (`12,42`) or a range (`1-30`), for the
// scans of a cell over seeds that the README's re-timings come from.
// Run it under `flock /tmp/bp-bench.lock`.
import { createRequire } from 'module';
import { gridData, parseSeeds } from './grid-data.mjs';
import { fileURLToPath } from 'url';
import * as path from 'path';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(path.join(root, 'dist', 'index.js'));
const cells = JSON.parse(process.argv[2] ?? '[]');
if (!Array.isArray(cells) || cells.length === 0) throw new TypeError('usage: node bench/cell-check.mjs \'[{"shape":"4000x4000","kind":"cauchy","radius":0.9}]\' [seeds]');
const seeds = parseSeeds(process.argv[3] ?? '2');

bp.setThreadCount(1);
// The first second or two of a fresh process ran slow more than once (a
// cell at 4.5x memcpy as the process's first, 2.6x minutes later): the
// first cell is run untimed for 1.5 s before any timing, as in grid-case.mjs.
{
  const c = cells[0];
  const [rows, cols] = c.shape.split('x').map(Number);
  const y = { data: gridData(rows, cols, c.kind, seeds[0]), rows, cols };
  const out = new Float64Array(y.data.length);
  const eta = c.radius === 'eta=1' ? 1 : c.radius * bp.norm(y, 'l1inf');
  const t0 = Date.now();
  for (let k = 0; k < 2 || Date.now() - t0 < 1500; k++) {
    out.set(y.data);
    bp.projectL1Inf(y, eta, { out });
  }
}
for (const seed of seeds) {
  for (const c of cells) {
    const [rows, cols] = c.shape.split('x').map(Number);
    const data = gridData(rows, cols, c.kind, seed);
    const y = { data, rows, cols };
    const out = new Float64Array(data.length);
    const eta = c.radius === 'eta=1' ? 1 : c.radius * bp.norm(y, 'l1inf');
    const ms = (f) => {
      const t0 = process.hrtime.bigint();
      f();
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    out.set(data);
    bp.projectL1Inf(y, eta, { out });
    const ratios = [], copies = [], runs = [];
    for (let k = 0; k < 11; k++) {
      const m = ms(() => out.set(data));
      const p = ms(() => bp.projectL1Inf(y, eta, { out }));
      copies.push(m);
      runs.push(p);
      ratios.push(p / m);
    }
    const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
    process.stdout.write(JSON.stringify({ ...c, seed, at: new Date().toISOString(), pairedRatio: med(ratios), memcpyMs: med(copies), exactMs: med(runs), ratioOfMedians: med(runs) / med(copies) }) + '\n');
  }
}
bp.setThreadCount(0);
