// A matrix sharded over worker_threads, each shard a row block living in one
// SharedArrayBuffer, projected without moving it: the workers send their
// group norms to the main thread (m numbers each), the main thread merges
// them and computes the radii (the reduce), sends the radii back (m numbers
// each), and each worker writes its own block in place. The result is
// compared with the one-shot projection of a copy of the whole matrix.
//
//   node examples/workers.mjs [rows] [cols] [workers] [l1inf|l12]
//
// l1inf: the groups are the columns, each split across the workers (the
// norms are merged with max: exact). l12: the groups are the rows, so each
// worker holds whole groups and the norms are simply concatenated (exact);
// merging l2 norms of split groups is exact to a few ulps only (README,
// "Scaling out").
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import { fileURLToPath } from 'url';
import * as path from 'path';
import { createRequire } from 'module';

const require = createRequire(import.meta.url);
const bp = require(path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

if (!isMainThread) {
  // A worker: its block is a view of the shared matrix, never copied.
  const { sab, cols, r0, r1, kind } = workerData;
  const groups = kind === 'l1inf' ? 'columns' : 'rows';
  const block = { data: new Float32Array(sab, r0 * cols * 4, (r1 - r0) * cols), rows: r1 - r0, cols };
  parentPort.on('message', (msg) => {
    if (msg.step === 'norms') {
      const norms = bp.groupNorms(block, kind === 'l1inf' ? 'linf' : 'l2', { groups });
      parentPort.postMessage({ norms }, [norms.buffer]);
    } else if (msg.step === 'apply') {
      const p = bp.applyRadii(block, msg.radii, kind, { groups, norms: msg.norms, out: block.data });
      parentPort.postMessage({ done: true, zeroGroups: p.zeroGroups });
    }
  });
} else {
  const rows = Number(process.argv[2] ?? 4000), cols = Number(process.argv[3] ?? 1000);
  const k = Number(process.argv[4] ?? 4), kind = process.argv[5] ?? 'l1inf';
  const sab = new SharedArrayBuffer(rows * cols * 4);
  const y = new Float32Array(sab);
  let s = 12345;
  for (let i = 0; i < y.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    y[i] = (s / 4294967296 - 0.5) * (1 + (i % 7));
  }
  const copy = Float32Array.from(y);
  const groups = kind === 'l1inf' ? 'columns' : 'rows';
  const eta = bp.norm({ data: copy, rows, cols }, kind, { groups }) * 0.2;

  const cut = Array.from({ length: k + 1 }, (_, i) => Math.round((rows * i) / k));
  const workers = cut.slice(1).map((r1, i) => new Worker(fileURLToPath(import.meta.url), { workerData: { sab, rows, cols, r0: cut[i], r1, kind } }));
  const ask = (w, msg) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(msg); });
  let wireBytes = 0;

  // Map: every worker's norms.
  const parts = await Promise.all(workers.map((w) => ask(w, { step: 'norms' })));
  for (const p of parts) wireBytes += p.norms.byteLength;
  // Reduce: merged (l1inf: max over row shards) or concatenated (l12: whole row groups).
  let norms;
  if (kind === 'l1inf') norms = parts.map((p) => p.norms).reduce((a, b) => bp.combineGroupNorms('linf', a, b));
  else norms = Float64Array.from(parts.flatMap((p) => Array.from(p.norms)));
  const { radii } = bp.bilevelRadii(norms, eta);
  // Map: each worker its radii (and norms), then the in-place write.
  await Promise.all(workers.map((w, i) => {
    const [r, n] = kind === 'l1inf' ? [radii, norms] : [radii.slice(cut[i], cut[i + 1]), norms.slice(cut[i], cut[i + 1])];
    wireBytes += r.byteLength + n.byteLength;
    return ask(w, { step: 'apply', radii: r, norms: n });
  }));
  await Promise.all(workers.map((w) => w.terminate()));

  const one = bp[kind === 'l1inf' ? 'bilevelL1Inf' : 'bilevelL12']({ data: copy, rows, cols }, eta, { groups });
  const same = Buffer.from(one.data.buffer).equals(Buffer.from(sab));
  console.log(JSON.stringify({ rows, cols, workers: k, kind, eta, sameBytesAsOneShot: same, matrixBytes: rows * cols * 4, wireBytes }));
  if (!same) process.exit(1);
}
