// The addon is context-aware: it loads and works in several worker_threads at
// once (each thread gets its own instance), through the compiled package.
import * as path from 'path';
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import * as bp from '../lib';

const ROOT = path.join(__dirname, '..');

test('four worker threads load the addon and project concurrently, agreeing with the main thread', async () => {
  expect(fs.existsSync(path.join(ROOT, 'dist', 'index.js'))).toBe(true); // `npm test` builds it first
  const script = `
    const { parentPort, workerData } = require('worker_threads');
    const bp = require(workerData.root);
    const { rows, cols, seed } = workerData;
    const data = new Float64Array(rows * cols);
    let s = seed;
    for (let i = 0; i < data.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; data[i] = s / 4294967296 - 0.5; }
    const y = { data, rows, cols };
    Promise.all([bp.projectL1InfAsync(y, 2), bp.bilevelL12Async(y, 2)]).then(([a, b]) => {
      const c = bp.bilevelL1Inf(y, 2);
      parentPort.postMessage({ exact: Array.from(a.data), l12: Array.from(b.data), l1inf: Array.from(c.data) });
    });
  `;
  const run = (seed: number) =>
    new Promise<{ exact: number[]; l12: number[]; l1inf: number[] }>((resolve, reject) => {
      const w = new Worker(script, { eval: true, workerData: { root: ROOT, rows: 50, cols: 60, seed } });
      w.once('message', (m) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
  const seeds = [1, 2, 3, 4];
  const got = await Promise.all(seeds.map(run));
  got.forEach((g, k) => {
    const data = new Float64Array(50 * 60);
    let s = seeds[k];
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = s / 4294967296 - 0.5;
    }
    const y = { data, rows: 50, cols: 60 };
    expect(g.exact).toEqual(Array.from(bp.projectL1Inf(y, 2).data));
    expect(g.l12).toEqual(Array.from(bp.bilevelL12(y, 2).data));
    expect(g.l1inf).toEqual(Array.from(bp.bilevelL1Inf(y, 2).data));
  });
});
