#!/usr/bin/env node
// Builds the libFuzzer harnesses of native/fuzz (clang, with AddressSanitizer
// and UndefinedBehaviorSanitizer) and runs each for a share of a fixed time
// budget, starting from the committed seed corpus native/fuzz/corpus/<name>/.
// New inputs go to a scratch copy of the corpus, never into the repository.
// Exits non-zero if any harness crashes, trips a sanitizer, times out or
// reports a violated invariant, and prints where the reproducer was saved.
//
//   node scripts/fuzz.js                 build, then ~60 s of fuzzing in all (harnesses
//                                        run side by side, one per core)
//   node scripts/fuzz.js --time=600      a longer run (seconds, shared by all harnesses)
//   node scripts/fuzz.js --jobs=1        one harness at a time
//   node scripts/fuzz.js --only=fuzz_exact,fuzz_norms
//   node scripts/fuzz.js --replay        only replay the committed corpus (a quick regression run)
//   node scripts/fuzz.js --seed=1234     pin libFuzzer's seed (default: random, printed)
//   node scripts/fuzz.js --update-corpus fuzz, then merge the inputs that add coverage into
//                                        native/fuzz/corpus/<name>/ (keep it small: review the diff)
//
// A reproducer replays with: build-fuzz/<harness> <file> (prints the violated
// invariant and the decoded problem).
'use strict';
const { spawnSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const buildDir = path.join(root, 'build-fuzz');
const fuzzDir = path.join(root, 'native', 'fuzz');
const corpusRoot = path.join(fuzzDir, 'corpus');

function arg(name, fallback) {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return fallback;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : true;
}

const totalSeconds = Number(arg('time', 60));
const replayOnly = arg('replay', false) === true;
const updateCorpus = arg('update-corpus', false) === true;
const only = arg('only', '') ? String(arg('only', '')).split(',') : null;
const seed = arg('seed', '') ? Number(arg('seed', '')) : Math.floor(Math.random() * 2 ** 31);
const jobsArg = arg('jobs', String(os.cpus().length));
const jobs = jobsArg === true ? Number.NaN : Number(jobsArg);
if (!(totalSeconds > 0)) {
  console.error('fuzz: --time must be a positive number of seconds');
  process.exit(2);
}
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error('fuzz: --jobs must be a positive whole number of harnesses run at once');
  process.exit(2);
}

function have(cmd) {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
  if (r.error || r.status !== 0) {
    console.error(`fuzz: ${cmd} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}`);
    process.exit(2);
  }
}

// --- build -----------------------------------------------------------------
if (!have('clang++') || !have('clang')) {
  console.error('fuzz: clang is needed (libFuzzer ships with it). On Debian/Ubuntu: apt-get install -y clang');
  process.exit(2);
}
const t0 = Date.now();
run('cmake', ['-S', root, '-B', buildDir, '-DBP_BUILD_ADDON=OFF', '-DBP_BUILD_FUZZERS=ON', '-DCMAKE_BUILD_TYPE=RelWithDebInfo'], {
  CC: 'clang',
  CXX: 'clang++',
});
run('cmake', ['--build', buildDir, '--parallel', String(Math.max(1, os.cpus().length))]);
const buildSeconds = (Date.now() - t0) / 1000;

const harnesses = fs
  .readdirSync(fuzzDir)
  .filter((f) => /^fuzz_.*\.cpp$/.test(f))
  .map((f) => f.replace(/\.cpp$/, ''))
  .filter((h) => !only || only.includes(h))
  .sort();
if (harnesses.length === 0) {
  console.error(`fuzz: no harness matched${only ? ` --only=${only.join(',')}` : ''}`);
  process.exit(2);
}

// --- run -------------------------------------------------------------------
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-fuzz-'));
const artifacts = path.join(buildDir, 'artifacts');
const logs = path.join(buildDir, 'logs');
fs.mkdirSync(artifacts, { recursive: true });
fs.mkdirSync(logs, { recursive: true });
const perHarness = Math.max(1, Math.floor(totalSeconds / harnesses.length));

function stat(log, key) {
  const m = new RegExp(`stat::${key}:\\s*(\\d+)`).exec(log);
  return m ? Number(m[1]) : undefined;
}

// The lines that say what went wrong: our invariant report, a sanitizer
// report, or libFuzzer's own (timeout, out of memory, leak).
function failureExcerpt(log) {
  const lines = log.split('\n');
  const start = lines.findIndex((l) =>
    /==bpfuzz==|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|ALARM: working on the last Unit|out-of-memory/.test(l));
  if (start < 0) return lines.slice(-25).join('\n');
  return lines.slice(start, start + 30).join('\n');
}

function runHarness(name) {
  return new Promise((resolve) => {
    const committed = path.join(corpusRoot, name);
    const work = path.join(scratch, name);
    fs.mkdirSync(work, { recursive: true });
    const dirs = fs.existsSync(committed) ? [work, committed] : [work];
    const common = ['-timeout=10', '-rss_limit_mb=2048', '-malloc_limit_mb=2048', '-max_len=4096', `-artifact_prefix=${artifacts}/${name}-`];
    const args = replayOnly
      ? [...common, '-runs=0', ...dirs]
      : [...common, `-max_total_time=${perHarness}`, `-seed=${seed}`, '-print_final_stats=1', ...dirs];
    const started = Date.now();
    const child = spawn(path.join(buildDir, name), args, { cwd: scratch });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    child.on('close', (code, signal) => {
      fs.writeFileSync(path.join(logs, `${name}.log`), log);
      const artifact = /Test unit written to (\S+)/.exec(log)?.[1];
      const seconds = (Date.now() - started) / 1000;
      const ok = code === 0 && !signal && !artifact;
      const replayed = /#(\d+)\s+(INITED|DONE)/g;
      let last;
      for (const m of log.matchAll(replayed)) last = Number(m[1]);
      resolve({
        name,
        ok,
        seconds,
        code,
        signal,
        artifact,
        execs: stat(log, 'number_of_executed_units') ?? last ?? 0,
        perSec: stat(log, 'average_exec_per_sec'),
        added: stat(log, 'new_units_added'),
        rss: stat(log, 'peak_rss_mb'),
        corpus: fs.readdirSync(work).length + (fs.existsSync(committed) ? fs.readdirSync(committed).length : 0),
        excerpt: ok ? '' : failureExcerpt(log),
        work,
        committed,
      });
    });
  });
}

(async () => {
  console.log(
    `fuzz: ${harnesses.length} harnesses, ${replayOnly ? 'replaying the committed corpus' : `${perHarness} s each, seed ${seed}`} (built in ${buildSeconds.toFixed(0)} s)`,
  );
  // The harnesses run side by side, one per core: each still gets its share of
  // the budget (the fuzzing done is the same), in half the wall time on two cores.
  const results = new Array(harnesses.length);
  let next = 0;
  async function worker() {
    while (next < harnesses.length) {
      const i = next++;
      const r = await runHarness(harnesses[i]);
      results[i] = r;
      console.log(`  ${r.name} ... ${r.ok ? `ok, ${r.execs} executions` : 'FAILED'}`);
      if (!r.ok) console.log(r.excerpt.replace(/^/gm, '      '));
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, harnesses.length) }, worker));

  if (updateCorpus && !replayOnly) {
    for (const r of results) {
      if (!r.ok) continue;
      fs.mkdirSync(r.committed, { recursive: true });
      spawnSync(path.join(buildDir, r.name), ['-merge=1', r.committed, r.work], { stdio: 'ignore' });
    }
    console.log('fuzz: merged new coverage into native/fuzz/corpus/ (review before committing)');
  }

  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(`\n${pad('harness', 14)}${lpad('executions', 12)}${lpad('exec/s', 9)}${lpad('corpus', 8)}${lpad('new', 6)}${lpad('rss MB', 8)}${lpad('time s', 8)}  result`);
  for (const r of results) {
    const result = r.ok ? 'ok' : `FAILED${r.signal ? ` (${r.signal})` : r.code ? ` (exit ${r.code})` : ''}${r.artifact ? `: reproducer ${path.relative(root, r.artifact)}` : ''}`;
    console.log(
      `${pad(r.name, 14)}${lpad(r.execs, 12)}${lpad(r.perSec ?? '-', 9)}${lpad(r.corpus, 8)}${lpad(r.added ?? '-', 6)}${lpad(r.rss ?? '-', 8)}${lpad(r.seconds.toFixed(1), 8)}  ${result}`,
    );
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    console.log(`\nfuzz: ${failed.length} harness(es) failed; logs in ${path.relative(root, logs)}/. Replay a reproducer with build-fuzz/<harness> <file>.`);
    process.exit(1);
  }
  console.log(`\nfuzz: no crash, no sanitizer report, no violated invariant (logs in ${path.relative(root, logs)}/)`);
})();
