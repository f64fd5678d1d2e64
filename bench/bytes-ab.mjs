// Do two addon builds give the same bytes? For a change to the native code
// that claims it moved no result (the "bytes unchanged" of the CHANGELOG and
// docs/), or to bound the ones it moved.
//   node bench/bytes-ab.mjs A.node B.node
//     17280 small cases: every operation of native.operations on 8 shapes
//     (1 x 1 to 517 x 33) x 5 data kinds (uniform, normal, Cauchy, sparse,
//     normal times 1e-300) x float64 / float32 x groups = columns / rows x
//     6 radii x 1 / 2 threads; compares out, the radii and the return value.
//   node bench/bytes-ab.mjs A.node B.node --grid [shapes] [seeds] [ops]
//     the grid's big cells (data as bench/grid-data.mjs makes it), float64
//     and float32, one thread: shapes like 4000x4000,8000x1000 (default the
//     four), seeds like 1,2,3 or 1-3 (default 1,2,3,5,6), ops like
//     exactStream,bilevelL1Inf (default exactStream); prints each cell that
//     differs with its largest absolute difference. Every operation's radius
//     is r times the l1,inf norm here (as the figures in docs/ were made),
//     not the operation's own norm as in the grid: for the bilevel l1,1 and
//     l1,2 these are smaller radii than the grid's cells.
// One build alone (no B.node) runs the small cases and prints their count.
import { createHash } from 'crypto';
import { createRequire } from 'module';
import * as path from 'path';
import { GRID_KINDS, gridData, lcgMatrix, parseSeeds } from './grid-data.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const gridAt = args.indexOf('--grid');
const paths = gridAt >= 0 ? args.slice(0, gridAt) : args;
if (paths.length < 1 || paths.length > 2 || (gridAt >= 0 && paths.length !== 2)) {
  throw new TypeError('usage: node bench/bytes-ab.mjs A.node [B.node] | A.node B.node --grid [shapes] [seeds] [ops]');
}
const addons = paths.map((p) => require(path.resolve(p)));

// The small cases' own seeding (not the grid's: its seeds are per shape and
// kind only), and a fifth kind near the underflow.
const smallData = (rows, cols, kind) => lcgMatrix((2654435761 + rows * 97 + cols * 13 + kind.length) >>> 0, rows * cols, kind);

function smallCases() {
  const shapes = [[1, 1], [1, 37], [37, 1], [7, 13], [64, 96], [200, 150], [33, 517], [517, 33]];
  const ops = Object.keys(addons[0].operations);
  let cases = 0;
  const diffs = [];
  for (const [rows, cols] of shapes) {
    for (const kind of ['uniform', 'gauss', 'cauchy', 'sparse', 'tiny']) {
      const d64 = smallData(rows, cols, kind);
      for (const Ctor of [Float64Array, Float32Array]) {
        const y = Ctor === Float64Array ? d64 : Float32Array.from(d64);
        for (const groups of [0, 1]) {
          const ng = groups === 0 ? cols : rows;
          const norm = addons[0].norm(0, y, rows, cols, groups);
          for (const r of [0, 1e-3, 0.01, 0.1, 0.5, 0.9]) {
            const eta = r === 0 ? 1 : r * norm;
            for (const threads of [1, 2]) {
              for (const op of ops) {
                const hashes = addons.map((X) => {
                  X.threads(threads);
                  const out = new Ctor(y.length);
                  const radii = new Float64Array(ng);
                  const ret = X.project(X.operations[op], y, rows, cols, groups, eta, out, radii);
                  const h = createHash('sha1');
                  h.update(Buffer.from(out.buffer));
                  h.update(Buffer.from(radii.buffer));
                  h.update(String(ret));
                  return h.digest('hex');
                });
                cases++;
                if (hashes.length > 1 && hashes[0] !== hashes[1]) diffs.push(`${op} ${Ctor.name} ${rows}x${cols} ${kind} groups=${groups} r=${r} threads=${threads}`);
              }
            }
          }
        }
      }
    }
  }
  console.log(`${cases} cases; ${addons.length > 1 ? `${diffs.length} differ` : 'one addon'}`);
  for (const d of diffs.slice(0, 50)) console.log(`  ${d}`);
}

function gridCases() {
  const [A, B] = addons;
  const [shapesArg, seedsArg, opsArg] = args.slice(gridAt + 1);
  const shapes = (shapesArg ?? '4000x4000,8000x1000,1000x8000,100x80000').split(',');
  const seeds = parseSeeds(seedsArg ?? '1,2,3,5,6');
  const ops = (opsArg ?? 'exactStream').split(',');
  for (const op of ops) if (!(op in A.operations) || !(op in B.operations)) throw new RangeError(`ops: not an operation of both builds: ${op}`);
  A.threads(1);
  B.threads(1);
  let n = 0, differ = 0;
  for (const seed of seeds) {
    for (const shape of shapes) {
      const [rows, cols] = shape.split('x').map(Number);
      for (const kind of GRID_KINDS) {
        for (const Ctor of [Float64Array, Float32Array]) {
          const y = gridData(rows, cols, kind, seed, Ctor);
          const norm = A.norm(0, y, rows, cols, 0);
          for (const r of ['eta=1', 0.01, 0.1, 0.5, 0.9]) {
            for (const op of ops) {
              const eta = r === 'eta=1' ? 1 : r * norm;
              const oa = new Ctor(y.length), ob = new Ctor(y.length);
              const ra = new Float64Array(cols), rb = new Float64Array(cols);
              const xa = A.project(A.operations[op], y, rows, cols, 0, eta, oa, ra);
              const xb = B.project(B.operations[op], y, rows, cols, 0, eta, ob, rb);
              n++;
              if (xa !== xb || !Buffer.from(oa.buffer).equals(Buffer.from(ob.buffer)) || !Buffer.from(ra.buffer).equals(Buffer.from(rb.buffer))) {
                let m = 0;
                for (let i = 0; i < oa.length; i++) m = Math.max(m, Math.abs(oa[i] - ob[i]));
                differ++;
                console.log(`differs: ${op} ${Ctor.name} ${shape} ${kind} ${r} seed ${seed}: max |diff| ${m}, returns ${xa} ${xb}`);
              }
            }
          }
        }
      }
    }
  }
  console.log(`${n} cells, ${differ} differ`);
}

if (gridAt >= 0) gridCases();
else smallCases();
