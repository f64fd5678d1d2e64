// Out of core: examples/out-of-core.mjs projects a 256 MB float32 file in a
// child process whose address space is capped (prlimit --as) so that the
// file cannot be held in memory (checked: the same cap refuses an array of
// the file's size), in row blocks with two passes over the file. The file is
// a small tile repeated with its rows shifted and its sign flipped (both
// exact), so the column maxima, hence the radii, are the tile's own, and
// every tile of the output must be the same transformation of the in-memory
// one-shot projection of the tile, byte for byte.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as bp from '../lib';

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples', 'out-of-core.mjs');
const ROWS = 32768, COLS = 2048, TILE = 256, BLOCK = 1000; // blocks straddle tiles on purpose
const CAP_MB = 800; // Node itself maps about 700 MB here; the file is 256 MB

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

function capped(args: string[]) {
  return spawnSync('prlimit', [`--as=${CAP_MB * 2 ** 20}`, process.execPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MALLOC_ARENA_MAX: '1' },
    timeout: 120_000,
  });
}

function readRows(fd: number, r0: number, n: number): Float32Array {
  const buf = Buffer.alloc(n * COLS * 4);
  expect(fs.readSync(fd, buf, 0, buf.length, r0 * COLS * 4)).toBe(buf.length);
  return new Float32Array(buf.buffer, buf.byteOffset, n * COLS);
}

describe('out of core', () => {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-ooc-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('prlimit is available', () => expect(hasPrlimit).toBe(true));

  test('a file larger than the capped address space, in row blocks: the bytes of the in-memory projection', () => {
    const input = path.join(dir, 'y.f32'), output = path.join(dir, 'x.f32');
    const made = spawnSync(process.execPath, [EXAMPLE, 'make', input, String(ROWS), String(COLS), String(TILE)], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    expect(fs.statSync(input).size).toBe(ROWS * COLS * 4);

    // The cap is real: the child cannot even allocate the file's size.
    const control = capped(['-e', `try { new Float32Array(${(ROWS * COLS)}).fill(1); console.log('held') } catch { console.log('refused') }`]);
    expect(control.stdout.trim()).toBe('refused');

    const fd = fs.openSync(input, 'r');
    const tile = { data: readRows(fd, 0, TILE), rows: TILE, cols: COLS };
    fs.closeSync(fd);
    const eta = bp.norm(tile, 'l1inf') * 0.3;
    const one = bp.bilevelL1Inf(tile, eta);

    const run = capped([EXAMPLE, 'project', input, output, String(ROWS), String(COLS), String(eta), String(BLOCK), 'l1inf']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/pass 2\/2: 100 %/);
    const summary = JSON.parse(run.stdout);
    expect(summary.zeroGroups).toBe(one.zeroGroups);
    expect(summary.peakRssMb).toBeLessThan(256);
    // No temporary file left beside the output.
    expect(fs.readdirSync(dir).sort()).toEqual(['x.f32', 'y.f32']);

    const out = fs.openSync(output, 'r');
    const expected = new Float32Array(TILE * COLS);
    let mismatches = 0;
    for (let k = 0; k < ROWS / TILE; k++) {
      for (let i = 0; i < TILE; i++) {
        const src = ((i + k * 7919) % TILE) * COLS;
        // A column clipped to radius 0 is +0 whatever the sign of its input.
        for (let j = 0; j < COLS; j++) expected[i * COLS + j] = k % 2 === 1 && one.radii[j] !== 0 ? -one.data[src + j] : one.data[src + j];
      }
      const got = readRows(out, k * TILE, TILE);
      if (!Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(expected.buffer))) mismatches++;
    }
    fs.closeSync(out);
    expect(mismatches).toBe(0);
  }, 180_000);
});
