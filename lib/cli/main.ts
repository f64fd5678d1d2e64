#!/usr/bin/env node
// The `bilevel-projection` command: the demo, feature selection with the
// sparse autoencoder, and the paper's experiments. Results go to stdout,
// progress and errors to stderr. A client of the package's entry points like
// any user.
import { runDemo } from './demo';
import { runPaperSaeCommand } from './paper-sae';
import { runTable1Command } from './paper-table1';
import { runSaeCommand } from './sae';

const USAGE = `Usage: bilevel-projection <command>

Commands:
  demo                                        project a small matrix and show which columns survive (default)
  sae cv|fit|predict|transform [options]     feature selection with the sparse supervised autoencoder, and
                                              a fitted model applied to new data (sae help; sae alone is sae cv)
  paper table1 [--random-state N] [--out DIR] the paper's Table I and Figures 3-6 (about 2 s)
  paper sae [--out DIR]                       the paper's Tables II/III and Figures 7/9 (paper sae --help; minutes)
  help                                        this text
`;

async function main(argv: string[]): Promise<number> {
  const [cmd = 'demo', ...rest] = argv;
  switch (cmd) {
    case 'demo':
      runDemo();
      return 0;
    case 'sae':
      return runSaeCommand(rest);
    case 'paper': {
      const [sub, ...more] = rest;
      if (sub === 'table1') return runTable1Command(more);
      if (sub === 'sae') return runPaperSaeCommand(more);
      process.stderr.write(`bilevel-projection: unknown paper experiment '${sub ?? ''}' (try: paper table1, paper sae)\n\n${USAGE}`);
      return 2;
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`bilevel-projection: unknown command '${cmd}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bilevel-projection: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
