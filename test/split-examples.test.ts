// The scaling-out examples run and agree with the one-shot projection: worker
// threads over SharedArrayBuffer blocks, and forked processes that exchange
// only m-vectors (or two scalars per round), with the bytes on the wire
// counted.
import { spawnSync } from 'child_process';
import * as path from 'path';

const EXAMPLES = path.join(__dirname, '..', 'examples');
const run = (file: string, args: (string | number)[]) => {
  const r = spawnSync(process.execPath, [path.join(EXAMPLES, file), ...args.map(String)], { encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
};

describe('scaling-out examples', () => {
  test.each([
    [1000, 300, 4, 'l1inf'],
    [999, 301, 3, 'l12'],
  ])('workers.mjs %i x %i over %i workers (%s): the one-shot bytes, only norms and radii exchanged', (rows, cols, k, kind) => {
    const r = run('workers.mjs', [rows, cols, k, kind]);
    expect(r.sameBytesAsOneShot).toBe(true);
    // l1inf: k norm vectors up, k (radii, norms) pairs down, m doubles each.
    const m = kind === 'l1inf' ? cols : rows;
    expect(r.wireBytes).toBe(kind === 'l1inf' ? 3 * k * m * 8 : 3 * m * 8);
  });

  test('processes.mjs gather: shard hashes match the one-shot result; O(m) bytes per shard on the wire', () => {
    const rows = 1200, cols = 400, k = 4;
    const r = run('processes.mjs', ['gather', rows, cols, k]);
    expect(r.shardHashesMatch).toBe(true);
    expect(r.sameRadiiBytes).toBe(true);
    // Up: k norm vectors; down: k radii + norms: m doubles each, plus framing.
    const payload = 3 * k * cols * 8;
    expect(r.wire.sentBytes + r.wire.receivedBytes).toBeGreaterThanOrEqual(payload);
    expect(r.wire.sentBytes + r.wire.receivedBytes).toBeLessThan(payload + 1024 * k);
    expect(r.wire.sentBytes + r.wire.receivedBytes).toBeLessThan(r.matrixBytes / 50);
  });

  test('processes.mjs threshold: a few rounds of two scalars, radii equal to the one-shot to rounding', () => {
    const r = run('processes.mjs', ['threshold', 1200, 400, 8]);
    expect(r.shardHashesMatch).toBe(true);
    expect(r.rounds).toBeLessThanOrEqual(10);
    // Per round and shard: one tau down, (count, sum) up, with framing.
    expect(r.wire.sentBytes + r.wire.receivedBytes).toBeLessThan(r.rounds * 8 * 200 + 8 * 400);
  });
});
