// Nothing is left half-written: a `sae predict` killed (SIGKILL) while it
// writes a large output leaves the old file or the new one, whole; a `sae
// fit` interrupted (SIGINT) while training exits 130 and leaves the old model
// and no temporary file. Runs the built command (dist/) in child processes.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSaeCommand } from '../lib/cli/sae';

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-kill-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function table(n: number, m: number, seed: number, labels = true): string {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 4 - 2;
  };
  const out = [['id', ...Array.from({ length: m }, (_, j) => `f${j}`), ...(labels ? ['label'] : [])].join(',')];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: m }, () => rnd().toFixed(3));
    out.push([`s${i}`, ...x, ...(labels ? [Number(x[0]) + Number(x[1]) > 0 ? 'up' : 'down'] : [])].join(','));
  }
  return out.join('\n') + '\n';
}

const temporaries = () => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

beforeAll(async () => {
  expect(fs.existsSync(MAIN)).toBe(true); // `npm test` builds dist/ first
  fs.writeFileSync(path.join(dir, 'train.csv'), table(200, 6, 1));
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await runSaeCommand(['fit', '--data', path.join(dir, 'train.csv'), '--id-column', 'id', '--keep', '3', '--save', path.join(dir, 'model.json'), '--epochs1', '3', '--epochs2', '2', '--hidden', '8', '--no-progress']);
    expect(code).toBe(0);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
});

// One predict run, killed as soon as its temporary output file appears; the
// target is read back after the child is gone.
async function predictKilledMidWrite(n: number, out: string, old: string): Promise<{ sawTemporary: boolean; text: string }> {
  fs.writeFileSync(path.join(dir, 'big.csv'), table(n, 6, 2, false));
  fs.writeFileSync(out, old);
  const child = spawn(process.execPath, [MAIN, 'sae', 'predict', '--model', path.join(dir, 'model.json'), '--data', path.join(dir, 'big.csv'), '--id-column', 'id', '--out', out], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Watch for the temporary file, then kill at once: the write is under way.
  let sawTemporary = false;
  const deadline = Date.now() + 50000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (temporaries().length > 0) {
      sawTemporary = true;
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setImmediate(r));
  }
  await exited;
  return { sawTemporary, text: fs.readFileSync(out, 'utf8') };
}

test('SIGKILL while predict writes a large file: the old file or the whole new one, never a part', async () => {
  const out = path.join(dir, 'pred.csv');
  const OLD = 'the previous predictions\n';
  // The poll can miss a write that is over too soon (a quiet, fast machine, or
  // a poller slowed by load): then the run is repeated on twice the rows, up
  // to three times. One of them must be killed mid-write.
  let n = 100000;
  let run = await predictKilledMidWrite(n, out, OLD);
  for (let attempt = 1; attempt < 3 && !run.sawTemporary; attempt++) {
    n *= 2;
    run = await predictKilledMidWrite(n, out, OLD);
  }
  const { sawTemporary, text } = run;
  if (text !== OLD) {
    // The rename happened before the kill: then the file is whole.
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines[n]).toMatch(new RegExp(`^s${n - 1},(up|down),[0-9.e-]+,[0-9.e-]+$`));
  }
  expect(sawTemporary).toBe(true); // the kill landed while the output was being written
  // SIGKILL gives no chance to clean up: the hidden temporary file stays, the target is whole.
  for (const t of temporaries()) fs.rmSync(path.join(dir, t));
  process.stderr.write(`kill mid-write (${n} rows): the target held ${text === OLD ? 'the old file' : 'the new file, whole'}\n`);
}, 120000);

test('SIGINT while fit trains: exit 130, one error line after the progress, the old model untouched, no temporary file', async () => {
  const save = path.join(dir, 'model.json');
  const before = fs.readFileSync(save, 'utf8');
  const child = spawn(process.execPath, [MAIN, 'sae', 'fit', '--data', path.join(dir, 'train.csv'), '--id-column', 'id', '--keep', '3', '--save', save, '--epochs1', '100000', '--hidden', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => (err += String(b)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Training has begun once the progress bar's first line is out (on a pipe it
  // prints a plain line every 10 %, the first at 0 %): the run would take hours.
  const started = Date.now();
  while (!/^sae fit +0%/m.test(err) && child.exitCode === null && Date.now() - started < 40000) await new Promise((r) => setTimeout(r, 50));
  expect(err).toMatch(/^sae fit +0%/m);
  expect(child.exitCode).toBeNull();
  child.kill('SIGINT');
  const code = await exited;
  expect(code).toBe(130);
  const lines = err.trim().split('\n');
  expect(lines[lines.length - 1]).toBe('bilevel-projection sae fit: interrupted; no output was written');
  expect(lines.slice(0, -1).every((l) => /^sae fit +\d+%/.test(l))).toBe(true); // the rest is progress
  expect(fs.readFileSync(save, 'utf8')).toBe(before);
  expect(temporaries()).toEqual([]);
}, 60000);
