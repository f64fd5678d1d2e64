// The record of which prebuilt binaries have passed scripts/prebuild-checks.js
// on their own architecture: the SHA-256 of each tested file, kept beside the
// repository's prebuilds (never packed). scripts/prepack.js packs a prebuild
// only when its current bytes are the bytes that were tested.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const RECORD = path.join(ROOT, 'build-prebuild-tests', 'tested.json');

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function read() {
  try {
    return JSON.parse(fs.readFileSync(RECORD, 'utf8'));
  } catch {
    return {};
  }
}

/** Records `file` (a prebuild) as tested by `how`; written to a temp name, then renamed. */
function record(file, how) {
  const all = read();
  all[path.relative(ROOT, file)] = { sha256: sha256(file), how, at: new Date().toISOString() };
  fs.mkdirSync(path.dirname(RECORD), { recursive: true });
  const tmp = `${RECORD}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
  fs.renameSync(tmp, RECORD);
}

/** Whether `file`'s current bytes are those a passing test recorded. */
function isTested(file) {
  const e = read()[path.relative(ROOT, file)];
  return Boolean(e && fs.existsSync(file) && e.sha256 === sha256(file));
}

/** Every prebuilt binary under prebuilds/, as absolute paths. */
function prebuilds() {
  const dir = path.join(ROOT, 'prebuilds');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((d) => {
    const sub = path.join(dir, d);
    return fs.statSync(sub).isDirectory() ? fs.readdirSync(sub).filter((f) => f.endsWith('.node')).map((f) => path.join(sub, f)) : [];
  });
}

module.exports = { ROOT, RECORD, record, isTested, prebuilds, sha256 };
