// `bilevel-projection paper table1`: Table I on stdout, Figures 3-6 into a folder.
import { TABLE1_DATASETS, TABLE1_METHODS, formatTable1, runTable1 } from '../paper';

export const TABLE1_USAGE = `Usage: bilevel-projection paper table1 [--random-state N] [--out DIR]

  Table I of the paper (cumulative sparsity of the four projections on data-64
  and data-16) beside the paper's values, on stdout as markdown; progress on
  stderr. --random-state: make_classification's seed (default 0). --out: also
  write fig3-identity.svg, fig4-l22.svg, fig5-sparsity-data64.svg,
  fig6-sparsity-data16.svg and table1.json into DIR.
`;

/**
 * `bilevel-projection paper table1 [--random-state N] [--out DIR]`: `args`
 * are the words after `table1`. Returns the exit code (2 for bad arguments).
 */
export function runTable1Command(
  args: string[],
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
): number {
  let randomState = 0;
  let outDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') && args[i].includes('=') ? args[i].split(/=(.*)/s, 2) : [args[i], undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--random-state') {
      const v = value();
      const n = Number(v);
      if (v === undefined || !/^\d+$/.test(v) || n > 0xffffffff) {
        io.err(`bilevel-projection paper table1: --random-state takes an integer in [0, 4294967295], not ${JSON.stringify(v ?? null)}\n`);
        return 2;
      }
      randomState = n;
    } else if (flag === '--out') {
      outDir = value();
      if (!outDir) { io.err('bilevel-projection paper table1: --out takes a directory\n'); return 2; }
    } else if (flag === '--help' || flag === '-h') {
      io.out(TABLE1_USAGE);
      return 0;
    } else {
      io.err(`bilevel-projection paper table1: unknown argument ${JSON.stringify(args[i])}\n\n${TABLE1_USAGE}`);
      return 2;
    }
  }
  const r = runTable1({ randomState, outDir, onProgress: (m) => io.err(`${m}\n`) });
  const worst = Math.max(...TABLE1_DATASETS.flatMap((d) => TABLE1_METHODS.map((m) => r.identityMaxError[d.name][m.key])));
  io.out(formatTable1(r, 'markdown'));
  io.out(`\nIdentity ||Y - P(Y)|| + ||P(Y)|| = ||Y|| in each projection's own norm: largest relative error ${worst.toExponential(1)} over 10 radii x 4 projections x 2 data sets.\n`);
  io.err(`done in ${r.seconds.toFixed(1)} s\n`);
  return 0;
}
