// Type tests: every ```ts block of the README compiles under `tsc --strict`
// against the package's published declarations (dist/**/*.d.ts, the files the
// tarball carries), through the package's own entry names
// ('bilevel-projection', 'bilevel-projection/sae', ...). A README example that
// names a function that does not exist, passes an option of the wrong type or
// misspells a field fails here.
//
// A block is compiled as the body of an async function, so that blocks may
// use await and reuse names; its import lines are hoisted. Blocks without
// imports are fragments that continue an earlier example: they see the main
// entry's exports and the few free names declared in PRELUDE below.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

// The names README fragments use without defining them.
const PRELUDE = `
import type { Matrix } from 'bilevel-projection';
declare const y: Matrix<Float32Array>;
declare const W: Matrix<Float64Array>;
declare const weights: Float64Array;
declare const data: Float64Array;
declare const rows: number;
declare const cols: number;
declare const W1: Matrix<Float32Array>;
declare const block0: Matrix<Float32Array>;
declare const block1: Matrix<Float32Array>;
declare const eta: number;
declare const Xtrain: Matrix<Float64Array>;
declare const Xnew: Matrix<Float64Array>;
declare const labels: string[];
`;

function blocks(markdown: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const re = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) {
    out.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[1] });
  }
  return out;
}

function moduleFor(code: string, mainExports: string[]): string {
  const lines = code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l));
  const importsMain = imports.some((l) => /from 'bilevel-projection'/.test(l));
  const head = importsMain ? imports : [`import { ${mainExports.join(', ')} } from 'bilevel-projection';`, ...imports];
  return `${head.join('\n')}\n${PRELUDE}\nexport async function readmeBlock(): Promise<void> {\n${body.join('\n')}\n}\n`;
}

test('every ```ts block of the README compiles under --strict against the published types', () => {
  const main = fs.readFileSync(path.join(ROOT, 'dist', 'index.d.ts'), 'utf8');
  // The value exports of the main entry (types are imported where used).
  const mainExports = [...main.matchAll(/export \{([^}]*)\} from/g)]
    .flatMap((m) => m[1].split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('type '))
    .map((s) => s.split(/\s+as\s+/).pop()!.trim());
  expect(mainExports).toContain('bilevelL1Inf');

  const found = blocks(README);
  expect(found.length).toBeGreaterThan(5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-readme-types-'));
  try {
    const files = found.map((b, i) => {
      const file = path.join(dir, `block-${String(i).padStart(2, '0')}-line-${b.line}.ts`);
      fs.writeFileSync(file, moduleFor(b.code, mainExports));
      return file;
    });
    const paths: Record<string, string[]> = {
      'bilevel-projection': [path.join(ROOT, 'dist', 'index.d.ts')],
      'bilevel-projection/*': [path.join(ROOT, 'dist', '*', 'index.d.ts')],
    };
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node',
          lib: ['ES2022', 'DOM'], types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          baseUrl: dir, paths, skipLibCheck: false, noUnusedLocals: false,
        },
        files,
      }),
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    // Name the README line of each failing block.
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
