// numpy's legacy `RandomState` on the MT19937 generator, reimplemented so
// that the paper's synthetic data (scikit-learn's make_classification) can be
// regenerated in Node bit for bit (given the same log; see below). Only what
// that needs is here: seeding, 32-bit draws, uniform doubles, the polar
// Box-Muller normal with its cached second value, legacy masked-rejection
// integers and the legacy shuffle.
// Every formula follows the order of operations of numpy's C code, because a
// different order would change the bits.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The largest seed numpy's RandomState accepts (seeds are 32-bit). */
export const MAX_SEED = 0xffffffff;

/** Smallest all-ones mask >= v (v < 2^32), as numpy's masked rejection uses. */
function maskFor(v: number): number {
  let m = v >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}

/** Anything indexable and writable, shuffled in place (typed arrays and plain arrays). */
export interface Shuffleable<E> {
  length: number;
  [i: number]: E;
}

export class RandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  // The second value of the last polar Box-Muller pair, returned by the next
  // standardNormal() call: numpy keeps it across calls (and across arrays).
  private hasGauss = false;
  private gauss = 0;
  private readonly log: (x: number) => number;

  /**
   * `opts.log`: the natural logarithm the normal sampler uses. The default is
   * correctly rounded; numpy uses the C library's, which on glibc >= 2.28 is
   * off by an ulp for about 1 input in 1300, so pass that one (if you can
   * reach it) to reproduce numpy's normals bit for bit.
   */
  constructor(seed: number, opts?: { log?: (x: number) => number }) {
    this.log = opts?.log ?? logCorrectlyRounded;
    this.seed(seed);
  }

  /** numpy's `RandomState(seed)` for an integer seed: MT19937 init_genrand; the normal cache is cleared. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`Expected an integer in [0, ${MAX_SEED}] for seed but received ${String(seed)}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      // 1812433253 * (prev ^ (prev >> 30)) + i, modulo 2^32 (Math.imul keeps the low 32 bits).
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** Regenerates the 624-word state (the MT19937 "twist"). */
  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** One 32-bit draw, as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    if (this.pos === N) this.twist();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) with 53 random bits: numpy's `random_sample()` / `uniform()` (two 32-bit draws). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `uniform(low, high)`: low + (high - low) * random(), numpy's order. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** `size` draws of uniform(low, high), in order. */
  uniformArray(size: number, low = 0, high = 1): Float64Array {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /**
   * numpy's legacy `standard_normal()`: the polar Box-Muller method. Each pair
   * of uniforms in the unit disc gives two normals; the second is cached and
   * returned by the next call.
   */
  standardNormal(): number {
    if (this.hasGauss) {
      const g = this.gauss;
      this.hasGauss = false;
      this.gauss = 0;
      return g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2.0 * this.random() - 1.0;
      x2 = 2.0 * this.random() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * this.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** Fills `out` (or a new array of `size`) with standard normals, in order. */
  standardNormalArray(size: number, out: Float64Array = new Float64Array(size)): Float64Array {
    for (let i = 0; i < size; i++) out[i] = this.standardNormal();
    return out;
  }

  /**
   * An integer in [0, max] by masked rejection (numpy's `random_interval`, used
   * by the legacy shuffle and permutation). max < 2^32.
   */
  interval(max: number): number {
    if (max === 0) return 0;
    const mask = maskFor(max);
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= max) return v;
    }
  }

  /**
   * numpy's legacy `randint(low, high)` (or `randint(high)`): an integer in
   * [low, high) by masked rejection on 32-bit draws; a range of one value
   * draws nothing. So randint(2) is one draw & 1. Ranges up to 2^32 only (the
   * 64-bit path numpy takes beyond that is not needed here).
   */
  randint(lowOrHigh: number, high?: number): number {
    const low = high === undefined ? 0 : lowOrHigh;
    const hi = high === undefined ? lowOrHigh : high;
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(hi) || hi <= low) {
      throw new RangeError(`randint: expected integers low < high but received low=${low}, high=${hi}`);
    }
    const rng = hi - low - 1;
    if (rng > 0xffffffff) throw new RangeError(`randint: ranges wider than 2^32 are not supported (received ${rng + 1})`);
    if (rng === 0) return low;
    if (rng === 0xffffffff) return low + this.nextUint32();
    return low + this.interval(rng);
  }

  /** `size` draws of randint(low, high), in order. */
  randintArray(size: number, lowOrHigh: number, high?: number): number[] {
    const out = new Array<number>(size);
    for (let i = 0; i < size; i++) out[i] = this.randint(lowOrHigh, high);
    return out;
  }

  /** numpy's legacy `shuffle` of a 1-d array: Fisher-Yates from the end, j = interval(i). */
  shuffle<E>(x: Shuffleable<E>): void {
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.interval(i);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** numpy's legacy `permutation(n)`: arange(n), shuffled. */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    this.shuffle(a);
    return a;
  }
}

// --- natural logarithm, correctly rounded ----------------------------------
//
// numpy calls the C library's log. V8's Math.log (fdlibm) is off by an ulp
// for about 4 % of the inputs the normal sampler sees, and one ulp in a
// normal shows up in X; glibc's (>= 2.28) for about 0.08 %. The closest a
// portable implementation can get is the correctly rounded value, computed
// here in double-double (about 100 bits) and rounded once.

const LN2_HI = 0.6931471805599453; // ln 2 = LN2_HI + LN2_LO to ~106 bits
const LN2_LO = 2.3190468138462996e-17;
// The reduced mantissa m in [sqrt(1/2), sqrt(2)] is written m = c (m / c) with
// c = i / 128 the nearest table point, so only a short series remains.
const TABLE_SCALE = 128;
const TABLE_FIRST = 90; // round(128 sqrt(1/2))
const TABLE_LAST = 182; // round(128 sqrt(2)) + 1
/** ln(i/128) in double-double for the table's i, from the slow series (once, at load). */
function buildLogTable(): Float64Array {
  const t = new Float64Array(2 * (TABLE_LAST + 1));
  for (let i = TABLE_FIRST; i <= TABLE_LAST; i++) {
    const c = i / TABLE_SCALE;
    // ln c = 2 atanh((c - 1) / (c + 1)), |.| <= 0.18: 60 terms reach far below 2^-110.
    const [hi, lo] = atanhSeries(c - 1, c + 1, 60);
    t[2 * i] = hi;
    t[2 * i + 1] = lo;
  }
  return t;
}

// Double-double helpers: a value is hi + lo with |lo| <= ulp(hi)/2.
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, (a - (s - bb)) + (b - bb)];
}
const SPLITTER = 134217729; // 2^27 + 1
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b), bl = b - bh;
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}
function ddAdd(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [s, e] = twoSum(ah, bh);
  const [t, f] = twoSum(al, bl);
  const [s2, e2] = twoSum(s, e + t);
  return twoSum(s2, e2 + f);
}
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [p, e] = twoProd(ah, bh);
  return twoSum(p, e + (ah * bl + al * bh));
}
function ddDiv(ah: number, al: number, bh: number, bl: number): [number, number] {
  const q1 = ah / bh;
  const [ph, pl] = ddMul(q1, 0, bh, bl);
  const [rh, rl] = ddAdd(ah, al, -ph, -pl);
  const q2 = rh / bh;
  const [ph2, pl2] = ddMul(q2, 0, bh, bl);
  const [rh2] = ddAdd(rh, rl, -ph2, -pl2);
  const q3 = rh2 / bh;
  const [s, e] = twoSum(q1, q2);
  return twoSum(s, e + q3);
}

/** 2 atanh(num/den) = ln((den+num)/(den-num)) in double-double, num and den exact doubles. */
function atanhSeries(num: number, den: number, terms: number): [number, number] {
  const [sh, sl] = ddDiv(num, 0, den, 0);
  const [s2h, s2l] = ddMul(sh, sl, sh, sl);
  // sum_{k>=0} s^(2k+1) / (2k+1), Horner from the smallest term.
  let [ah, al] = [1 / (2 * terms + 1), 0];
  for (let k = terms - 1; k >= 0; k--) {
    [ah, al] = ddMul(ah, al, s2h, s2l);
    const [ih, il] = ddDiv(1, 0, 2 * k + 1, 0);
    [ah, al] = ddAdd(ah, al, ih, il);
  }
  [ah, al] = ddMul(ah, al, sh, sl);
  return [2 * ah, 2 * al];
}

const TABLE = buildLogTable();

const scratch = new Float64Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI_WORD = LITTLE_ENDIAN ? 1 : 0;

/**
 * ln x for finite x > 0, correctly rounded but for inputs within ~2^-85 ulp
 * of a rounding boundary. x = 2^e m with m in [sqrt(1/2), sqrt(2)], so that
 * e ln 2 and ln m never cancel; ln m = ln c + 2 atanh((m - c) / (m + c)).
 */
export function logCorrectlyRounded(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  let e = 0;
  let m = x;
  if (m < 2.2250738585072014e-308) { m *= 18014398509481984; e -= 54; } // subnormal: scale by 2^54
  scratch[0] = m;
  const hw = scratchBits[HI_WORD];
  e += ((hw >>> 20) & 0x7ff) - 1023;
  scratchBits[HI_WORD] = (hw & 0x800fffff) | 0x3ff00000; // m in [1, 2)
  m = scratch[0];
  if (m > Math.SQRT2) { m /= 2; e += 1; } // exact
  const i = Math.round(m * TABLE_SCALE);
  const c = i / TABLE_SCALE;
  // t = (m - c) / (m + c), |t| < 2^-8: m - c is exact (Sterbenz), m + c is not, so divide in double-double.
  const [sh, sl] = twoSum(m, c);
  const [th, tl] = ddDiv(m - c, 0, sh, sl);
  // 2 atanh t = 2t (1 + t^2/3 + t^4/5 + ...): t^2/3 in double-double, the rest (< 2^-34) in double.
  const [t2h, t2l] = ddMul(th, tl, th, tl);
  const tail = t2h * t2h * (1 / 5 + t2h * (1 / 7 + t2h * (1 / 9 + t2h / 11)));
  const [q3h, q3l] = ddDiv(t2h, t2l, 3, 0);
  const [qh, ql] = ddAdd(q3h, q3l, tail, 0);
  const [pth, ptl] = ddMul(th, tl, qh, ql); // t^3/3 + t^5/5 + ...
  let [rh, rl] = ddAdd(th, tl, pth, ptl);
  rh *= 2;
  rl *= 2;
  if (i !== TABLE_SCALE) [rh, rl] = ddAdd(TABLE[2 * i], TABLE[2 * i + 1], rh, rl);
  if (e !== 0) {
    const [kh, kl] = twoProd(e, LN2_HI);
    // e * LN2_LO in plain double: |e| <= 1076, so its rounding error is below 2^-110 of the result.
    const [ah, al] = ddAdd(kh, kl, e * LN2_LO, 0);
    [rh, rl] = ddAdd(ah, al, rh, rl);
  }
  return rh + rl;
}
