// One benchmark case, in its own process (so a crash or an out-of-memory is
// that case's failure only): a uniform [0, 1) matrix of the given shape and
// type, eta = 1 (the paper's protocol), every method timed on the same data
// together with the memory floors. Prints one JSON object on stdout.
import { loadBench } from './addon.mjs';
import { plainBilevelL1Inf } from './plain-ts.mjs';

const { bp, native } = loadBench();

const spec = JSON.parse(process.argv[2]);
const { rows, cols, dtype, reps, skip = [] } = spec;
const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
const n = rows * cols;

// Deterministic uniform [0, 1) data (LCG: speed matters, quality hardly).
const data = new Ctor(n);
let s = 12345 + rows * 7 + cols;
for (let i = 0; i < n; i++) {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  data[i] = s / 4294967296;
}
const y = { data, rows, cols };
const out = new Ctor(n);

function jsSum(a) {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t;
}

function time(fn, r = reps) {
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

// Cold caches: touching a buffer twice the size of this machine's last-level
// cache evicts the matrix, as when it arrives from elsewhere. Used for the
// linear-scaling check, where a small matrix that stays cached between
// repetitions would otherwise look faster per entry than a large one.
const evictor = new Float64Array(8 << 20).fill(1); // 64 MB
// biome-ignore lint/correctness/noUnusedVariables: written only, so that the eviction reads are not optimised away
let evictSink = 0;
function evict() {
  let t = 0;
  for (let i = 0; i < evictor.length; i += 8) t += evictor[i]; // one read per cache line, no writes
  evictSink += t;
}
function timeCold(fn, r = reps) {
  fn();
  const ms = [];
  for (let k = 0; k < r; k++) {
    evict();
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[ms.length >> 1], min: ms[0], max: ms[ms.length - 1], runs: r, cold: true };
}

const methods = {
  memcpy: () => out.set(data),
  readPassNative: () => native.bench.readPass(data),
  readPassJs: () => jsSum(data),
  bilevelL1Inf: () => bp.bilevelL1Inf(y, 1, { out }),
  bilevelL11: () => bp.bilevelL11(y, 1, { out }),
  bilevelL12: () => bp.bilevelL12(y, 1, { out }),
  exactNewton: () => bp.projectL1Inf(y, 1, { out, method: 'newton' }),
  exactSort: () => bp.projectL1Inf(y, 1, { out, method: 'sort' }),
  exactDefault: () => bp.projectL1Inf(y, 1, { out }),
  prox: () => bp.proxLInf1(y, 1, { out }),
  l1Ball: () => bp.projectL1Ball(data, 1, { out }),
  plainTsBilevelL1Inf: () => plainBilevelL1Inf(data, rows, cols, 1, out),
};

// Every method on one thread (the targets are single-thread ratios,
// as the published codes are), then the kernels that split their passes
// again with the default thread count.
const result = { rows, cols, dtype, entries: n, bytes: n * Ctor.BYTES_PER_ELEMENT, threads: bp.getThreadCount(), times: {}, threaded: {} };
const defaultThreads = bp.setThreadCount(1);
for (const [name, fn] of Object.entries(methods)) {
  if (skip.includes(name)) continue;
  // The O(nm log nm) reference method is slow: fewer (but still >= 7) runs.
  result.times[name] = time(fn, name === 'exactSort' ? Math.max(7, Math.min(reps, 7)) : reps);
}
result.cold = {
  memcpy: timeCold(() => out.set(data)),
  bilevelL1Inf: timeCold(() => bp.bilevelL1Inf(y, 1, { out })),
};
bp.setThreadCount(defaultThreads);
result.threads = bp.getThreadCount();
for (const name of ['bilevelL1Inf', 'bilevelL11', 'bilevelL12', 'exactNewton', 'prox', 'l1Ball']) {
  if (!skip.includes(name)) result.threaded[name] = time(methods[name]);
}
process.stdout.write(JSON.stringify(result));
