// Projects a float32 matrix stored in a file (row-major, no header) that need
// not fit in memory: two passes over the file in row blocks, one block in
// memory at a time.
//
//   pass 1: groupNorms of each block, merged with combineGroupNorms (max)
//   reduce: bilevelRadii of the m column norms
//   pass 2: applyRadii on each block, written to the output file
//
// The output is written to a temporary name beside it and renamed at the end,
// so a failed run leaves no partial file. Progress goes to stderr, a JSON
// summary to stdout.
//
//   node examples/out-of-core.mjs make <file> <rows> <cols> [tileRows]
//       writes a test matrix: a small random tile, repeated with its rows
//       cyclically shifted and its sign flipped, so that its projection is
//       known from the tile's own (see test/split-out-of-core.test.ts)
//   node examples/out-of-core.mjs project <in> <out> <rows> <cols> <eta> [blockRows] [l1inf|l12]
//
// With groups = columns and row blocks, l1,inf gives the one-shot bytes; l1,2
// merges l2 norms across blocks, which is exact to a few ulps only (README,
// "Scaling out").
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';
import { fileURLToPath } from 'url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(root);

let lastProgress = '';
const progress = (msg) => {
  if (msg !== lastProgress) process.stderr.write(`\r${msg}`);
  lastProgress = msg;
};

function status() {
  const s = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number((s.match(new RegExp(`${k}:\\s+(\\d+)`)) ?? [0, NaN])[1]);
  return { peakRssMb: kb('VmHWM') / 1024, vmSizeMb: kb('VmSize') / 1024 };
}

/** Reads rows [r0, r0 + n) into buf (which holds n * cols floats). */
function readRows(fd, buf, r0, n, cols) {
  const bytes = n * cols * 4;
  const view = new Uint8Array(buf.buffer, buf.byteOffset, bytes);
  let done = 0;
  while (done < bytes) {
    const k = fs.readSync(fd, view, done, bytes - done, r0 * cols * 4 + done);
    if (k === 0) throw new Error(`unexpected end of file at row ${r0}`);
    done += k;
  }
  return new Float32Array(buf.buffer, buf.byteOffset, n * cols);
}

function writeAll(fd, a) {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let done = 0;
  while (done < view.length) done += fs.writeSync(fd, view, done, view.length - done);
}

/** Writes `file` through a temporary name in the same folder, renamed once complete. */
function atomically(file, write) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    write(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** The tile: tileRows x cols, deterministic. */
export function makeTile(tileRows, cols, seed = 1) {
  const t = new Float32Array(tileRows * cols);
  let s = seed >>> 0;
  for (let i = 0; i < t.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    t[i] = (u - 0.5) * (1 + (i % cols) / cols) * 4;
  }
  return t;
}

/** Tile k of the big matrix: the tile's rows shifted by k * 7919, negated for odd k (both exact). */
export function tileRow(tile, tileRows, cols, k, i, dst) {
  const src = ((i + k * 7919) % tileRows) * cols;
  for (let j = 0; j < cols; j++) dst[j] = k % 2 === 1 ? -tile[src + j] : tile[src + j];
}

function make(file, rows, cols, tileRows) {
  if (rows % tileRows !== 0) throw new RangeError(`rows (${rows}) must be a multiple of tileRows (${tileRows})`);
  const tile = makeTile(tileRows, cols);
  const block = new Float32Array(tileRows * cols);
  atomically(file, (fd) => {
    for (let k = 0; k < rows / tileRows; k++) {
      for (let i = 0; i < tileRows; i++) tileRow(tile, tileRows, cols, k, i, block.subarray(i * cols, (i + 1) * cols));
      writeAll(fd, block);
      progress(`make: ${(((k + 1) * tileRows) / rows * 100).toFixed(0)} %`);
    }
  });
  process.stderr.write('\n');
}

function project(input, output, rows, cols, eta, blockRows, kind) {
  const size = fs.statSync(input).size;
  if (size !== rows * cols * 4) throw new RangeError(`${input} holds ${size} bytes, not rows * cols * 4 = ${rows * cols * 4}`);
  const normKind = kind === 'l12' ? 'l2' : 'linf';
  const buf = new Float32Array(blockRows * cols);
  const fd = fs.openSync(input, 'r');
  const t0 = performance.now();
  try {
    // Pass 1: the column norms of every block, merged.
    const norms = new Float64Array(cols);
    const part = new Float64Array(cols);
    for (let r0 = 0; r0 < rows; r0 += blockRows) {
      const n = Math.min(blockRows, rows - r0);
      bp.groupNorms({ data: readRows(fd, buf, r0, n, cols), rows: n, cols }, normKind, { out: part });
      bp.combineGroupNorms(normKind, norms, part, { out: norms });
      progress(`pass 1/2: ${(((r0 + n) / rows) * 100).toFixed(0)} %`);
    }
    // The reduce: m numbers in, m numbers out.
    const { radii, threshold } = bp.bilevelRadii(norms, eta);
    // Pass 2: each block projected in place and appended to the output.
    let zeroGroups = 0;
    atomically(output, (out) => {
      for (let r0 = 0; r0 < rows; r0 += blockRows) {
        const n = Math.min(blockRows, rows - r0);
        const block = readRows(fd, buf, r0, n, cols);
        zeroGroups = bp.applyRadii({ data: block, rows: n, cols }, radii, kind, { norms, out: block }).zeroGroups;
        writeAll(out, block);
        progress(`pass 2/2: ${(((r0 + n) / rows) * 100).toFixed(0)} %`);
      }
    });
    process.stderr.write('\n');
    return { rows, cols, eta, kind, blockRows, threshold, zeroGroups, seconds: (performance.now() - t0) / 1000, fileMb: size / 2 ** 20, ...status() };
  } finally {
    fs.closeSync(fd);
  }
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'make') {
  const [file, rows, cols, tileRows = '256'] = args;
  make(file, Number(rows), Number(cols), Number(tileRows));
} else if (cmd === 'project') {
  const [input, output, rows, cols, eta, blockRows = '1024', kind = 'l1inf'] = args;
  const r = project(input, output, Number(rows), Number(cols), Number(eta), Number(blockRows), kind);
  process.stdout.write(JSON.stringify(r) + '\n');
} else if (cmd !== undefined) {
  process.stderr.write('usage: out-of-core.mjs make <file> <rows> <cols> [tileRows] | project <in> <out> <rows> <cols> <eta> [blockRows] [l1inf|l12]\n');
  process.exit(2);
}
