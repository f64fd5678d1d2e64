// The split protocol across separate processes (child_process.fork, the IPC
// channel standing in for any network or message bus). Each shard process
// makes its own part of the matrix from a seed and never sends it: only
// m-vectors, or a couple of scalars per round, cross the channel, and this
// script counts the serialized bytes of every message. At the end each shard
// reports a SHA-256 of its projected block, which the coordinator checks
// against the one-shot projection of the whole matrix (made here only for
// the check).
//
//   node examples/processes.mjs [gather|threshold] [rows] [cols] [shards]
//
// gather:    row shards of a column-grouped matrix; each shard sends its m
//            column maxima, the coordinator merges them (max) and sends the
//            m radii back. Same bytes as the one-shot bilevelL1Inf.
// threshold: column shards (each holds whole groups); the norms never leave
//            their shard. The l1-ball threshold of all m norms is found by
//            rounds of l1BallThresholdStats: per round, each shard sends
//            (count, sum) and receives the next tau. The radii then match the
//            one-shot's to rounding (not bytes: the sums run in another order).
import { fork } from 'child_process';
import { createHash } from 'crypto';
import { fileURLToPath } from 'url';
import * as path from 'path';
import * as v8 from 'v8';
import { createRequire } from 'module';

const require = createRequire(import.meta.url);
const bp = require(path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

/** Entry (i, j) of the matrix, from its global index alone, so any shard can make its own part. */
function entry(i, j, cols) {
  let h = Math.imul((i * cols + j) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return (h / 4294967296 - 0.5) * (1 + (j % 5));
}

function makeBlock(r0, r1, c0, c1, cols) {
  const w = c1 - c0, data = new Float64Array((r1 - r0) * w);
  for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) data[(i - r0) * w + (j - c0)] = entry(i, j, cols);
  return { data, rows: r1 - r0, cols: w };
}

const sha = (a) => createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

if (process.argv[2] === '--shard') {
  // A shard process: answers the coordinator's steps about its own block.
  const [r0, r1, c0, c1, cols] = process.argv.slice(3).map(Number);
  const block = makeBlock(r0, r1, c0, c1, cols);
  let norms;
  process.on('message', (msg) => {
    if (msg.step === 'norms') {
      norms = bp.groupNorms(block, 'linf');
      process.send(msg.keep ? { ok: true } : { norms });
    } else if (msg.step === 'stats') {
      process.send(bp.l1BallThresholdStats(norms, msg.tau));
    } else if (msg.step === 'apply') {
      // Radii from the m radii sent (gather), or from the threshold alone.
      const radii = msg.radii ?? norms.map((n) => Math.max(n - msg.tau, 0));
      const p = bp.applyRadii(block, radii, 'l1inf', { norms: msg.norms ?? norms, out: block.data });
      process.send({ sha: sha(p.data), radii: msg.radii ? undefined : radii });
      process.disconnect();
    }
  });
} else {
  const mode = process.argv[2] ?? 'gather';
  const rows = Number(process.argv[3] ?? 2000), cols = Number(process.argv[4] ?? 500), k = Number(process.argv[5] ?? 4);
  const whole = makeBlock(0, rows, 0, cols, cols);
  const eta = bp.norm(whole, 'l1inf') * 0.25;
  const cut = (n) => Array.from({ length: k + 1 }, (_, i) => Math.round((n * i) / k));
  const rc = cut(rows), cc = cut(cols);
  const boxes = Array.from({ length: k }, (_, i) => (mode === 'gather' ? [rc[i], rc[i + 1], 0, cols] : [0, rows, cc[i], cc[i + 1]]));
  const shards = boxes.map((b) => fork(fileURLToPath(import.meta.url), ['--shard', ...b.map(String), String(cols)], { serialization: 'advanced' }));
  let sent = 0, received = 0, messages = 0;
  const ask = (child, msg) =>
    new Promise((resolve) => {
      child.once('message', (reply) => {
        received += v8.serialize(reply).length;
        resolve(reply);
      });
      sent += v8.serialize(msg).length;
      messages++;
      child.send(msg);
    });

  let rounds = 0;
  let hashes, radiiOf, checkBytes = 0;
  if (mode === 'gather') {
    const parts = await Promise.all(shards.map((c) => ask(c, { step: 'norms' })));
    const norms = parts.map((p) => p.norms).reduce((a, b) => bp.combineGroupNorms('linf', a, b));
    const { radii } = bp.bilevelRadii(norms, eta);
    const replies = await Promise.all(shards.map((c) => ask(c, { step: 'apply', radii, norms })));
    hashes = replies.map((r) => r.sha);
    radiiOf = () => radii;
  } else {
    await Promise.all(shards.map((c) => ask(c, { step: 'norms', keep: true })));
    // Newton steps from tau = 0 on f(tau) = sum max(n_j - tau, 0) - eta.
    let tau = 0, prev = -1;
    for (;;) {
      rounds++;
      const st = await Promise.all(shards.map((c) => ask(c, { step: 'stats', tau })));
      const count = st.reduce((a, s) => a + s.count, 0), sum = st.reduce((a, s) => a + s.sum, 0);
      if (rounds === 1 && sum <= eta) break;
      if (count === prev || count === 0) break;
      prev = count;
      tau = (sum - eta) / count;
    }
    // Only for the check below do the shards send their radii back.
    const replies = await Promise.all(shards.map((c) => ask(c, { step: 'apply', tau })));
    hashes = replies.map((r) => r.sha);
    // Those radii are not part of the protocol: their bytes are counted apart.
    checkBytes = replies.reduce((a, r) => a + v8.serialize({ radii: r.radii }).length, 0);
    const radii = new Float64Array(replies.flatMap((r) => Array.from(r.radii)));
    radiiOf = () => radii;
  }

  // The check, with the whole matrix (made here for that purpose only).
  const one = bp.bilevelL1Inf(whole, eta);
  let maxRadiusDiff = 0;
  const radii = radiiOf();
  for (let j = 0; j < cols; j++) maxRadiusDiff = Math.max(maxRadiusDiff, Math.abs(radii[j] - one.radii[j]));
  // Each shard's hash against the same block of the one-shot result (gather)
  // or of the coordinator's own applyRadii with the shards' radii (threshold).
  const reference = mode === 'gather' ? one.data : bp.applyRadii(whole, radii, 'l1inf').data;
  const ok = boxes.every(([r0, r1, c0, c1], i) => {
    const b = new Float64Array((r1 - r0) * (c1 - c0));
    for (let r = r0; r < r1; r++) b.set(reference.subarray(r * cols + c0, r * cols + c1), (r - r0) * (c1 - c0));
    return sha(b) === hashes[i];
  });
  console.log(JSON.stringify({
    mode, rows, cols, shards: k, eta, rounds: mode === 'threshold' ? rounds : undefined,
    shardHashesMatch: ok, maxRadiusDiff, sameRadiiBytes: Buffer.from(radii.buffer).equals(Buffer.from(one.radii.buffer)),
    matrixBytes: rows * cols * 8, wire: { messages, sentBytes: sent, receivedBytes: received - checkBytes, checkOnlyBytes: checkBytes },
  }));
  if (!ok || (mode === 'gather' && maxRadiusDiff !== 0) || maxRadiusDiff > 1e-12 * Math.max(...one.radii)) process.exit(1);
}
