// The ...Async twins: same results as the sync calls, the event loop keeps
// turning, many calls in flight, AbortSignal, and no crash whatever the
// caller does to its buffers while a call runs.
import * as bp from '../lib';
import { judge, loadManifest, readInput, type RefCase } from './helpers/reference';

type AsyncFn = (y: bp.Matrix, eta: number, o?: object) => Promise<bp.Projection>;
type SyncFn = (y: bp.Matrix, eta: number, o?: object) => bp.Projection;

const PAIRS: [string, SyncFn, AsyncFn, object][] = [
  ['bilevelL1Inf', bp.bilevelL1Inf as SyncFn, bp.bilevelL1InfAsync as AsyncFn, {}],
  ['bilevelL11', bp.bilevelL11 as SyncFn, bp.bilevelL11Async as AsyncFn, {}],
  ['bilevelL12', bp.bilevelL12 as SyncFn, bp.bilevelL12Async as AsyncFn, {}],
  ['projectL1Inf newton', bp.projectL1Inf as SyncFn, bp.projectL1InfAsync as AsyncFn, { method: 'newton' }],
  ['projectL1Inf sort', bp.projectL1Inf as SyncFn, bp.projectL1InfAsync as AsyncFn, { method: 'sort' }],
  ['proxLInf1', bp.proxLInf1 as SyncFn, bp.proxLInf1Async as AsyncFn, {}],
];

function uniform(n: number, seed: number, Ctor: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array) {
  const a = new Ctor(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.3;
  }
  return a;
}

const ASYNC_OF: Record<string, AsyncFn> = {
  projectL1Inf: bp.projectL1InfAsync as AsyncFn,
  proxLInf1: bp.proxLInf1Async as AsyncFn,
  bilevelL1Inf: bp.bilevelL1InfAsync as AsyncFn,
  bilevelL11: bp.bilevelL11Async as AsyncFn,
  bilevelL12: bp.bilevelL12Async as AsyncFn,
};

describe('async results equal sync results', () => {
  const cases = loadManifest().filter((c) => c.algorithm !== 'projectL1Ball');
  const rows: [string, string, RefCase][] = [];
  for (const c of cases) {
    const methods = c.algorithm === 'projectL1Inf' || c.algorithm === 'proxLInf1' ? ['newton', 'sort', 'stream'] : ['default'];
    for (const m of methods) rows.push([c.id, m, c]);
  }
  test.each(rows)('reference %s (%s)', async (_id, method, c) => {
    const y = readInput(c);
    const opts = { groups: c.groups === 'rows' ? 'rows' : 'columns', ...(method === 'default' ? {} : { method }) };
    const r = await ASYNC_OF[c.algorithm]({ data: y, rows: c.n, cols: c.m }, c.eta, opts);
    const v = judge(c, r, c.input.dtype === 'float64');
    if (!v.ok) throw new Error(v.problems.join('; '));
    // The caller's input is still there and unchanged, and the sync call agrees bit for bit.
    expect(Array.from(y)).toEqual(Array.from(readInput(c)));
    const s = ({ projectL1Inf: bp.projectL1Inf, proxLInf1: bp.proxLInf1, bilevelL1Inf: bp.bilevelL1Inf, bilevelL11: bp.bilevelL11, bilevelL12: bp.bilevelL12 } as Record<string, SyncFn>)[c.algorithm]({ data: y, rows: c.n, cols: c.m }, c.eta, opts);
    expect(Array.from(r.data)).toEqual(Array.from(s.data));
    expect(Array.from(r.radii)).toEqual(Array.from(s.radii));
    expect(r.zeroGroups).toBe(s.zeroGroups);
  });
});

describe.each(PAIRS)('%s', (_name, sync, asyncFn, extra) => {
  test('out, in place and SharedArrayBuffer views behave as in the sync call', async () => {
    const rows = 30, cols = 40, n = rows * cols;
    const base = uniform(n, 3);
    const want = sync({ data: base, rows, cols }, 2, extra);
    // out given
    const out = new Float64Array(n).fill(9);
    const a = await asyncFn({ data: base, rows, cols }, 2, { ...extra, out });
    expect(a.data).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(want.data));
    // in place
    const inPlace = base.slice();
    const b = await asyncFn({ data: inPlace, rows, cols }, 2, { ...extra, out: inPlace });
    expect(b.data).toBe(inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(want.data));
    // SharedArrayBuffer input and out: zero-copy
    const sabIn = new Float64Array(new SharedArrayBuffer(n * 8));
    sabIn.set(base);
    const sabOut = new Float64Array(new SharedArrayBuffer(n * 8));
    const c = await asyncFn({ data: sabIn, rows, cols }, 2, { ...extra, out: sabOut });
    expect(c.data).toBe(sabOut);
    expect(Array.from(sabOut)).toEqual(Array.from(want.data));
    // Float32 stays Float32
    const f = await asyncFn({ data: Float32Array.from(base), rows, cols }, 2, extra);
    expect(f.data).toBeInstanceOf(Float32Array);
  });

  test('bad input rejects (never throws) with the sync call\'s error', async () => {
    const bad: [unknown, unknown, unknown, string, RegExp][] = [
      [{ data: [1], rows: 1, cols: 1 }, 1, {}, 'TypeError', /y\.data/],
      [{ data: new Float64Array(2), rows: 1, cols: 3 }, 1, {}, 'RangeError', /y\.data/],
      [{ data: Float64Array.from([1, NaN]), rows: 1, cols: 2 }, 1, {}, 'RangeError', /y\.data/],
      [{ data: new Float64Array(2), rows: 1, cols: 2 }, -1, {}, 'RangeError', /eta|alpha/],
      [{ data: new Float64Array(2), rows: 1, cols: 2 }, 1, { out: new Float32Array(2) }, 'TypeError', /opts\.out/],
      [{ data: new Float64Array(2), rows: 1, cols: 2 }, 1, { signal: 'stop' }, 'TypeError', /opts\.signal/],
    ];
    for (const [y, eta, o, name, msg] of bad) {
      let p: Promise<unknown> | undefined;
      expect(() => {
        p = asyncFn(y as bp.Matrix, eta as number, { ...extra, ...(o as object) });
      }).not.toThrow();
      await expect(p).rejects.toMatchObject({ name, message: expect.stringMatching(msg) });
    }
    // A NaN entry found by the kernel leaves out untouched.
    const out = new Float64Array(2).fill(4);
    await expect(asyncFn({ data: Float64Array.from([1, Infinity]), rows: 1, cols: 2 }, 1, { ...extra, out })).rejects.toMatchObject({ name: 'RangeError' });
    expect(Array.from(out)).toEqual([4, 4]);
  });

  test('an already aborted signal rejects with an AbortError, writing nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const out = new Float64Array(6).fill(1);
    await expect(asyncFn({ data: uniform(6, 1), rows: 2, cols: 3 }, 1, { ...extra, out, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('the event loop keeps turning', () => {
  test.each([
    ['bilevelL1InfAsync', (y: bp.Matrix) => bp.bilevelL1InfAsync(y, 1)],
    ['projectL1InfAsync', (y: bp.Matrix) => bp.projectL1InfAsync(y, 1)],
  ] as const)('a setInterval keeps ticking during %s of a 4000 x 4000 matrix', async (_n, run) => {
    const y = { data: uniform(4000 * 4000, 11).map(Math.abs), rows: 4000, cols: 4000 };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const r = await run(y);
      expect(r.zeroGroups).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    // The sync call, by contrast, lets no tick through while it runs.
    const before = ticks;
    bp.bilevelL1Inf(y, 1);
    expect(ticks).toBe(before);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });
});

test('1,000 calls in flight at once, mixed methods and types, all equal to the sync results', async () => {
  const jobs = Array.from({ length: 1000 }, (_, k) => {
    const [, sync, asyncFn, extra] = PAIRS[k % PAIRS.length];
    const rows = 5 + (k % 17), cols = 3 + (k % 23);
    const Ctor = k % 2 ? Float32Array : Float64Array;
    const data = uniform(rows * cols, k, Ctor);
    const y = { data, rows, cols };
    const eta = 0.5 + (k % 7);
    const groups = k % 3 === 0 ? 'rows' : 'columns';
    return { sync: () => sync(y, eta, { ...extra, groups }), pending: asyncFn(y, eta, { ...extra, groups }) };
  });
  const results = await Promise.all(jobs.map((j) => j.pending));
  results.forEach((r, k) => {
    const s = jobs[k].sync();
    expect(Array.from(r.data)).toEqual(Array.from(s.data));
    expect(Array.from(r.radii)).toEqual(Array.from(s.radii));
  });
});

describe('AbortSignal', () => {
  test('aborting a running Newton projection rejects promptly with AbortError and leaves out alone', async () => {
    const n = 3000;
    const y = { data: uniform(n * n, 5), rows: n, cols: n };
    const out = new Float64Array(n * n).fill(2);
    const ac = new AbortController();
    const p = bp.projectL1InfAsync(y, 0.5, { out, signal: ac.signal, method: 'newton' });
    setTimeout(() => ac.abort(), 5);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    // Give a still-running worker time to finish: out must stay untouched.
    await new Promise((r) => setTimeout(r, 300));
    expect(out.every((v) => v === 2)).toBe(true);
  });

  test('an abort rejects with an AbortError (code ABORT_ERR) whose cause is the reason', async () => {
    const ac = new AbortController();
    const why = new Error('user cancelled');
    ac.abort(why);
    const p = bp.bilevelL11Async({ data: uniform(4, 2), rows: 2, cols: 2 }, 1, { signal: ac.signal });
    await expect(p).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await expect(p.catch((e: Error) => e.cause)).resolves.toBe(why);
  });
});

describe('whatever the caller does to its buffers meanwhile, nothing crashes', () => {
  const n = 2000;
  test.each(PAIRS)('%s: y.data and out transferred away during the call', async (_n, _s, asyncFn, extra) => {
    const data = uniform(n * n, 8);
    const out = new Float64Array(n * n);
    const p = asyncFn({ data, rows: n, cols: n }, 3, { ...extra, out });
    // Transfer both away (as postMessage would) and drop the clones for the GC.
    structuredClone(data.buffer, { transfer: [data.buffer] });
    structuredClone(out.buffer, { transfer: [out.buffer] });
    expect(data.length).toBe(0);
    await expect(p).rejects.toMatchObject({ name: 'TypeError', message: expect.stringMatching(/detached/) });
  });

  test.each(PAIRS)('%s: out transferred away after the input was read', async (_n, _s, asyncFn, extra) => {
    // 300 x 300 is under one copy chunk: the snapshot of y.data is complete
    // when the call returns, and out, transferred right away, is gone before
    // the worker can finish.
    const data = uniform(300 * 300, 8);
    const out = new Float64Array(300 * 300);
    const p = asyncFn({ data, rows: 300, cols: 300 }, 3, { ...extra, out });
    structuredClone(out.buffer, { transfer: [out.buffer] });
    data.fill(NaN); // the snapshot, not this, is what gets projected
    await expect(p).rejects.toMatchObject({ name: 'TypeError', message: expect.stringMatching(/opts\.out.*detached/) });
  });

  test.each(PAIRS)('%s: the caller keeps writing NaN into y.data and out (regular and shared memory)', async (_n, sync, asyncFn, extra) => {
    for (const shared of [false, true]) {
      const m = 400;
      const mk = () => (shared ? new Float64Array(new SharedArrayBuffer(m * m * 8)) : new Float64Array(m * m));
      const data = mk();
      data.set(uniform(m * m, 9));
      const out = mk();
      const p = asyncFn({ data, rows: m, cols: m }, 3, { ...extra, out });
      let writes = 0;
      const scribble = setInterval(() => {
        data[(writes * 7919) % data.length] = NaN;
        out[(writes * 104729) % out.length] = NaN;
        writes++;
      }, 0);
      try {
        await p.then(
          (r) => expect(r.data.length).toBe(m * m),
          (e) => expect(['RangeError', 'TypeError']).toContain((e as Error).name),
        );
      } finally {
        clearInterval(scribble);
      }
      void sync;
    }
  });
});
