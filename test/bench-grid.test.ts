// The regime grid's script end to end on its smoke size (`bench/grid.mjs
// --tiny`: two 50 x 400 shapes, seconds): every cell and method gets a ratio
// paired with a memcpy, every float32 cell a paired float32 / float64
// quotient, and the three reports are written whole. Not a measurement (at
// this size timing means nothing): it keeps the bench that issue #14's
// figures come from runnable.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

interface Timing {
  median: number;
  pairedRatio: number;
  copies: { runs: number };
  pairedQuotient?: number;
}
interface Cell {
  shape: string;
  dtype: string;
  threads: string;
  ratio: Record<string, number>;
  times: Record<string, Timing>;
  f32over64?: Record<string, number>;
}
interface Grid {
  summary: { methods: Record<string, { median: number; cells: number }>; float32: { median: number } };
  cells: Cell[];
  f32: { method: string; ratio: number }[];
}

const root = path.join(__dirname, '..');
let outDir = '';
let grid: Grid;

beforeAll(() => {
  const r = spawnSync(process.execPath, [path.join(root, 'bench', 'grid.mjs'), '--tiny'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/grid.mjs --tiny exited ${r.status}: ${r.stderr}`);
  const m = /wrote (\S+)\/grid\.\{json,md\}/.exec(r.stderr);
  if (!m) throw new Error(`no output directory in: ${r.stderr}`);
  outDir = m[1];
  grid = JSON.parse(fs.readFileSync(path.join(outDir, 'grid.json'), 'utf8')) as Grid;
}, 120_000);

afterAll(() => {
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

test('every cell: each method timed 7 times, each run over its own memcpy', () => {
  // 2 shapes x 4 kinds x 5 radii: float64 one thread, float64 default, float32 both.
  expect(grid.cells.filter((c) => c.dtype === 'float64' && c.threads === 'one')).toHaveLength(40);
  expect(grid.cells.filter((c) => c.dtype === 'float32')).toHaveLength(80);
  for (const c of grid.cells) {
    for (const [m, t] of Object.entries(c.times)) {
      expect(t.copies.runs).toBe(7);
      expect(t.pairedRatio).toBeGreaterThan(0);
      expect(Number.isFinite(t.pairedRatio)).toBe(true);
      expect(c.ratio[m]).toBe(t.pairedRatio);
    }
  }
});

test('float32 cells carry the paired float32 / float64 quotient, and the summary uses it', () => {
  const f32 = grid.cells.filter((c) => c.dtype === 'float32' && c.threads === 'one');
  for (const c of f32) {
    for (const m of ['bilevelL1Inf', 'bilevelL11', 'bilevelL12', 'exactDefault']) {
      const q = c.f32over64?.[m];
      expect(q).toBeGreaterThan(0);
      expect(q).toBe(c.times[m].pairedQuotient);
    }
  }
  expect(grid.f32).toHaveLength(f32.length * 4);
  for (const e of grid.f32) expect(Number.isFinite(e.ratio) && e.ratio > 0).toBe(true);
  expect(grid.summary.methods.exactDefault.cells).toBe(40);
});

test('the markdown and the heatmap are written, and no temporary file is left', () => {
  const md = fs.readFileSync(path.join(outDir, 'grid.md'), 'utf8');
  expect(md).toContain('## Summary (one thread, float64)');
  expect(md).toContain('paired');
  expect(fs.readFileSync(path.join(outDir, 'grid-heatmap.svg'), 'utf8')).toMatch(/^<svg/);
  expect(fs.readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});
