// makeClassification against scikit-learn 1.2.1's own outputs (../shared/sklearn,
// made with numpy 1.24.2 on an AVX-512 machine), the RandomState port against
// numpy's well-known first draws, argument validation, and a few properties.
// Errors are asserted by { name, message } (see errors.test.ts for why).
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { fma, makeClassification, makeClassificationFrom, sampleWithoutReplacement } from '../lib/datasets/make-classification';
import type { MakeClassificationOptions } from '../lib/datasets/make-classification';
import { logCorrectlyRounded, RandomState } from '../lib/random/mt19937';

const SKLEARN = path.resolve(__dirname, '..', '..', 'shared', 'sklearn');

interface Case {
  kwargs: Record<string, unknown>;
  files: { X: string; y: string; featperm: string };
  sha256: { X: string; y: string; featperm: string };
  X_shape: [number, number];
  y_counts: Record<string, number>;
}
const manifest = JSON.parse(fs.readFileSync(path.join(SKLEARN, 'manifest.json'), 'utf8')) as { cases: Record<string, Case> };
const CASES = Object.entries(manifest.cases);

const CAMEL: Record<string, keyof MakeClassificationOptions> = {
  n_samples: 'nSamples', n_features: 'nFeatures', n_informative: 'nInformative', n_redundant: 'nRedundant',
  n_repeated: 'nRepeated', n_classes: 'nClasses', n_clusters_per_class: 'nClustersPerClass', weights: 'weights',
  flip_y: 'flipY', class_sep: 'classSep', hypercube: 'hypercube', shift: 'shift', scale: 'scale',
  shuffle: 'shuffle', random_state: 'randomState',
};

function options(kwargs: Record<string, unknown>): MakeClassificationOptions {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (!(k in CAMEL)) throw new Error(`the manifest uses ${k}, which this test does not map`);
    o[CAMEL[k]] = v;
  }
  return o as MakeClassificationOptions;
}

function readBin(file: string): Buffer {
  return fs.readFileSync(path.join(SKLEARN, file));
}
function f64(b: Buffer): Float64Array {
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
function i32(b: Buffer): Int32Array {
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function loadCase(c: Case) {
  const raw = { X: readBin(c.files.X), y: readBin(c.files.y), featperm: readBin(c.files.featperm) };
  return { raw, X: f64(raw.X), y: i32(raw.y), featperm: i32(raw.featperm) };
}

function bitMismatches(a: Float64Array, b: Float64Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

describe.each(CASES)('scikit-learn 1.2.1 case %s', (_name, c) => {
  const ref = loadCase(c);
  const opts = options(c.kwargs);
  const ours = makeClassification(opts);

  test('the reference files are intact (SHA-256 as in the manifest)', () => {
    for (const k of ['X', 'y', 'featperm'] as const) {
      expect(createHash('sha256').update(ref.raw[k]).digest('hex')).toBe(c.sha256[k]);
    }
  });

  test('shapes', () => {
    expect([ours.X.rows, ours.X.cols]).toEqual(c.X_shape);
    expect(ours.X.data).toBeInstanceOf(Float64Array);
    expect(ours.y).toBeInstanceOf(Int32Array);
    expect(ours.informative).toBeInstanceOf(Uint8Array);
  });

  test('y is identical', () => {
    expect(Array.from(ours.y)).toEqual(Array.from(ref.y));
    const counts: Record<string, number> = {};
    for (const v of ours.y) counts[v] = (counts[v] ?? 0) + 1;
    expect(counts).toEqual(c.y_counts);
  });

  test('informative columns are identical (featperm[c] < nInformative)', () => {
    const nInf = opts.nInformative ?? 2;
    expect(Array.from(ours.informative)).toEqual(Array.from(ref.featperm, (f) => (f < nInf ? 1 : 0)));
  });

  test('X matches to 1e-12 relative per entry, and bit for bit but for rare libm-log ulps', () => {
    let worst = 0;
    for (let i = 0; i < ref.X.length; i++) {
      const d = Math.abs(ours.X.data[i] - ref.X[i]);
      if (d !== 0) worst = Math.max(worst, d / Math.abs(ref.X[i]));
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
    // glibc's log is off by an ulp on ~0.08 % of inputs; each such normal
    // moves its own entry, or a row of informative entries, by an ulp or so.
    expect(bitMismatches(ours.X.data, ref.X)).toBeLessThan(0.002 * ref.X.length);
  });
});

// The only difference left is the logarithm: fed the C library's log values
// (here computed by python3's math.log, which is glibc's), the port is bit
// exact. Needs python3 on glibc >= 2.28, as the reference machine had (.ci/run
// installs python3 if it is missing).
const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;

function glibcLogs(inputs: number[]): Float64Array {
  const script = [
    'import sys, math, struct',
    'b = sys.stdin.buffer.read(); n = len(b) // 8',
    "sys.stdout.buffer.write(struct.pack('<%dd' % n, *map(math.log, struct.unpack('<%dd' % n, b))))",
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: Buffer.from(Float64Array.from(inputs).buffer), maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return f64(r.stdout);
}

describe.each(CASES)('bit for bit with glibc log: %s', (_name, c) => {
  test('X is identical when the normals use the C library log', () => {
    expect(spawnSync('python3', ['-c', 'import math'], { stdio: 'ignore' }).status).toBe(0);
    expect(glibc).toMatch(/^2\.(2[89]|[3-9]\d)/);
    const { randomState, ...rest } = options(c.kwargs);
    const seen: number[] = [];
    makeClassificationFrom(new RandomState(randomState as number, { log: (x) => { seen.push(x); return logCorrectlyRounded(x); } }), rest);
    const logs = glibcLogs(seen);
    let k = 0;
    const ours = makeClassificationFrom(new RandomState(randomState as number, { log: () => logs[k++] }), rest);
    expect(k).toBe(logs.length);
    expect(bitMismatches(ours.X.data, loadCase(c).X)).toBe(0);
  });
});

describe('RandomState: numpy legacy MT19937', () => {
  test('init_genrand(5489) gives the reference MT19937 stream', () => {
    const rs = new RandomState(5489);
    expect([rs.nextUint32(), rs.nextUint32(), rs.nextUint32()]).toEqual([3499211612, 581869302, 3890346734]);
  });

  test('numpy seed 0: random_sample, standard_normal (with the cached pair), randint, permutation', () => {
    expect(new RandomState(0).random()).toBe(0.5488135039273248);
    const rs = new RandomState(0);
    expect([rs.standardNormal(), rs.standardNormal(), rs.standardNormal(), rs.standardNormal()])
      .toEqual([1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458]);
    const ri = new RandomState(0);
    expect(ri.randintArray(5, 10)).toEqual([5, 0, 3, 3, 7]);
    expect(Array.from(new RandomState(0).permutation(10))).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  });

  test('randint(2) is one 32-bit draw & 1; a one-value range draws nothing', () => {
    const a = new RandomState(42), b = new RandomState(42);
    for (let i = 0; i < 100; i++) expect(a.randint(2)).toBe(b.nextUint32() & 1);
    expect(a.randint(7, 8)).toBe(7);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  test('the cached normal survives other draws, and seed() clears it', () => {
    const a = new RandomState(3), b = new RandomState(3);
    a.standardNormal();
    b.standardNormal();
    const second = b.standardNormal();
    a.random();
    expect(a.standardNormal()).toBe(second);
    a.standardNormal();
    a.seed(3);
    expect(a.standardNormal()).toBe(new RandomState(3).standardNormal());
  });

  test('seeds outside [0, 2^32) are refused', () => {
    for (const s of [-1, 2 ** 32, 1.5, NaN]) expect(() => new RandomState(s)).toThrow(RangeError);
  });

  test('sample_without_replacement: distinct values below the population, by each method', () => {
    for (const [pop, k] of [[2 ** 30, 4], [32, 3], [4, 4], [100, 99], [1000, 5]]) {
      const s = sampleWithoutReplacement(pop, k, new RandomState(7));
      expect(s).toHaveLength(k);
      expect(new Set(s).size).toBe(k);
      expect(s.every((v) => Number.isInteger(v) && v >= 0 && v < pop)).toBe(true);
    }
  });
});

describe('arithmetic helpers', () => {
  test('fma rounds once', () => {
    expect(fma(1 + 2 ** -52, 1 - 2 ** -52, -1)).toBe(-(2 ** -104));
    expect(fma(0.1, 10, -1)).toBe(5.551115123125783e-17);
    expect(fma(3, 5, 7)).toBe(22);
    expect(fma(2 ** 600, 2 ** 400, -(2 ** 1000))).toBe(0);
    expect(fma(1 + 2 ** -30, 1 + 2 ** -30, 0)).toBe(1 + 2 ** -29); // 2^-60 is below half an ulp
  });

  test('logCorrectlyRounded: known values, and within an ulp of Math.log elsewhere', () => {
    expect(logCorrectlyRounded(2)).toBe(0.6931471805599453);
    expect(logCorrectlyRounded(10)).toBe(2.302585092994046);
    expect(logCorrectlyRounded(1 - 2 ** -53)).toBe(-1.1102230246251565e-16);
    expect(logCorrectlyRounded(Number.MIN_VALUE)).toBe(-744.4400719213812);
    expect(logCorrectlyRounded(1e300)).toBe(690.7755278982137);
    expect(logCorrectlyRounded(1)).toBe(0);
    const rs = new RandomState(11);
    for (let i = 0; i < 10000; i++) {
      const x = rs.random() ** (1 + 10 * rs.random()) || 0.5;
      const a = logCorrectlyRounded(x), b = Math.log(x);
      expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(b) * 2 ** -52);
    }
  });
});

describe('properties', () => {
  test("scikit-learn's defaults: 100 x 20, two balanced classes, 2 informative columns", () => {
    const d = makeClassification({ randomState: 0 });
    expect([d.X.rows, d.X.cols, d.X.data.length, d.y.length]).toEqual([100, 20, 2000, 100]);
    expect(d.informative.reduce((s, v) => s + v, 0)).toBe(2);
    expect(d.y.every((v) => v === 0 || v === 1)).toBe(true);
    expect(d.X.data.every(Number.isFinite)).toBe(true);
  });

  test('deterministic per seed, different across seeds; no seed draws a fresh one', () => {
    const o = { nSamples: 50, nFeatures: 12, nInformative: 4, randomState: 5 };
    const a = makeClassification(o), b = makeClassification(o), c = makeClassification({ ...o, randomState: 6 });
    expect(bitMismatches(a.X.data, b.X.data)).toBe(0);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(bitMismatches(a.X.data, c.X.data)).toBeGreaterThan(0);
    const { randomState: _seed, ...unseeded } = o;
    expect(bitMismatches(makeClassification(unseeded).X.data, makeClassification(unseeded).X.data)).toBeGreaterThan(0);
  });

  test('weights set the class sizes (flipY = 0); nClasses - 1 weights infer the last', () => {
    const full = makeClassification({ nSamples: 1000, weights: [0.7, 0.3], flipY: 0, randomState: 1 });
    expect(full.y.filter((v) => v === 0).length).toBe(700);
    const partial = makeClassification({ nSamples: 600, nClasses: 3, nInformative: 3, weights: [0.5, 0.25], flipY: 0, randomState: 2 });
    const counts = [0, 1, 2].map((k) => partial.y.filter((v) => v === k).length);
    expect(counts).toEqual([300, 150, 150]);
  });

  test('shuffle = false: informative columns first, then redundant, repeated, noise; labels by cluster', () => {
    const d = makeClassification({ nSamples: 40, nFeatures: 10, nInformative: 3, nRedundant: 2, nRepeated: 2, flipY: 0, shuffle: false, randomState: 3 });
    expect(Array.from(d.informative)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    // Clusters are contiguous: labels 0,1,0,1 by cluster in blocks of 10.
    expect(Array.from(d.y)).toEqual([...Array(10).fill(0), ...Array(10).fill(1), ...Array(10).fill(0), ...Array(10).fill(1)]);
    // Each repeated column equals one of the first five.
    const col = (j: number) => Array.from({ length: 40 }, (_, i) => d.X.data[i * 10 + j]);
    for (const j of [5, 6]) expect([0, 1, 2, 3, 4].some((s) => col(s).every((v, i) => v === col(j)[i]))).toBe(true);
  });

  test('random shift and scale (null) and a non-hypercube layout run and stay finite', () => {
    const d = makeClassification({ nSamples: 30, nFeatures: 8, shift: null, scale: null, hypercube: false, randomState: 4 });
    expect(d.X.data.every(Number.isFinite)).toBe(true);
    // scale in [1, 101): some column's spread exceeds the unit-scale one.
    expect(Math.max(...Array.from(d.X.data, Math.abs))).toBeGreaterThan(5);
  });

  test('makeClassificationFrom continues the caller\'s generator', () => {
    const rs = new RandomState(9);
    const a = makeClassificationFrom(rs, { nSamples: 20, nFeatures: 5 });
    const b = makeClassificationFrom(rs, { nSamples: 20, nFeatures: 5 });
    expect(bitMismatches(a.X.data, b.X.data)).toBeGreaterThan(0);
    expect(bitMismatches(a.X.data, makeClassification({ nSamples: 20, nFeatures: 5, randomState: 9 }).X.data)).toBe(0);
  });
});

describe('validation: each bad argument gets the right error, naming it', () => {
  type ErrName = 'TypeError' | 'RangeError';
  const BAD: [string, unknown, ErrName, string][] = [
    ['opts a number', 5, 'TypeError', 'opts'],
    ['opts null', null, 'TypeError', 'opts'],
    ['an unknown option', { n_samples: 10 }, 'RangeError', 'opts.n_samples'],
    ['nSamples a string', { nSamples: '100' }, 'TypeError', 'opts.nSamples'],
    ['nSamples 0', { nSamples: 0 }, 'RangeError', 'opts.nSamples'],
    ['nSamples fractional', { nSamples: 10.5 }, 'RangeError', 'opts.nSamples'],
    ['nFeatures NaN', { nFeatures: NaN }, 'RangeError', 'opts.nFeatures'],
    ['nFeatures a bigint', { nFeatures: 20n }, 'TypeError', 'opts.nFeatures'],
    ['nInformative 0', { nInformative: 0 }, 'RangeError', 'opts.nInformative'],
    ['nRedundant negative', { nRedundant: -1 }, 'RangeError', 'opts.nRedundant'],
    ['nRepeated Infinity', { nRepeated: Infinity }, 'RangeError', 'opts.nRepeated'],
    ['nClasses 0', { nClasses: 0 }, 'RangeError', 'opts.nClasses'],
    ['nClustersPerClass null', { nClustersPerClass: null }, 'TypeError', 'opts.nClustersPerClass'],
    ['weights a string', { weights: '0.5' }, 'TypeError', 'opts.weights'],
    ['weights of the wrong length', { weights: [0.2, 0.3, 0.5] }, 'RangeError', 'opts.weights'],
    ['a weight a string', { weights: [0.5, '0.5'] }, 'TypeError', 'opts.weights[1]'],
    ['a weight negative', { weights: [-0.5, 1.5] }, 'RangeError', 'opts.weights[0]'],
    ['nClasses - 1 weights above 1', { weights: [1.5] }, 'RangeError', 'opts.weights'],
    ['weights summing above 1', { weights: [0.9, 0.9] }, 'RangeError', 'opts.weights'],
    ['flipY above 1', { flipY: 1.5 }, 'RangeError', 'opts.flipY'],
    ['flipY negative', { flipY: -0.1 }, 'RangeError', 'opts.flipY'],
    ['classSep 0', { classSep: 0 }, 'RangeError', 'opts.classSep'],
    ['classSep a string', { classSep: '1' }, 'TypeError', 'opts.classSep'],
    ['hypercube a number', { hypercube: 1 }, 'TypeError', 'opts.hypercube'],
    ['shift NaN', { shift: NaN }, 'RangeError', 'opts.shift'],
    ['shift an array', { shift: [0, 1] }, 'TypeError', 'opts.shift'],
    ['scale 0', { scale: 0 }, 'RangeError', 'opts.scale'],
    ['shuffle a string', { shuffle: 'yes' }, 'TypeError', 'opts.shuffle'],
    ['randomState negative', { randomState: -1 }, 'RangeError', 'opts.randomState'],
    ['randomState beyond 32 bits', { randomState: 2 ** 32 }, 'RangeError', 'opts.randomState'],
    ['randomState a string', { randomState: '0' }, 'TypeError', 'opts.randomState'],
    ['more special features than features', { nFeatures: 5, nInformative: 3, nRedundant: 2, nRepeated: 1 }, 'RangeError', 'opts.nFeatures'],
    ['too few informative features for the clusters', { nInformative: 2, nClasses: 3, nClustersPerClass: 2 }, 'RangeError', 'opts.nInformative'],
    ['a matrix too large to allocate', { nSamples: 2 ** 20, nFeatures: 2 ** 12 }, 'RangeError', 'opts.nSamples'],
  ];

  test.each(BAD)('%s', (_what, opts, error, name) => {
    let thrown: unknown;
    try {
      makeClassification(opts as MakeClassificationOptions);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ name: error, code: 'ERR_BP_INVALID_ARGUMENT' });
    const esc = name.replace(/[.[\]]/g, (ch) => `\\${ch}`);
    expect((thrown as Error).message).toMatch(new RegExp(`(^|[^\\w.])${esc}($|[^\\w])`));
  });

  test('makeClassificationFrom wants a RandomState and takes no randomState option', () => {
    expect(() => makeClassificationFrom({} as RandomState)).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/generator/) }));
    expect(() => makeClassificationFrom(new RandomState(1), { randomState: 1 } as never))
      .toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_BP_INVALID_ARGUMENT', message: expect.stringMatching(/opts\.randomState.*nSamples/) }));
  });
});
