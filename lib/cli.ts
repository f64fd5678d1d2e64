#!/usr/bin/env node
// The `bilevel-projection` command: the demo now, the paper's experiments as
// they land. Results go to stdout, progress and errors to stderr.
import { runDemo } from './demo';
import { runTable1Command } from './paper/table1';

const USAGE = `Usage: bilevel-projection <command>

Commands:
  demo                                        project a small matrix and show which columns survive (default)
  paper table1 [--random-state N] [--out DIR] the paper's Table I and Figures 3-6 (about 2 s)
  help                                        this text
`;

function main(argv: string[]): number {
  const [cmd = 'demo'] = argv;
  switch (cmd) {
    case 'demo':
      runDemo();
      return 0;
    case 'paper': {
      const [sub, ...rest] = argv.slice(1);
      if (sub === 'table1') return runTable1Command(rest);
      process.stderr.write(`bilevel-projection: unknown paper experiment '${sub ?? ''}' (try: paper table1)\n\n${USAGE}`);
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

process.exitCode = main(process.argv.slice(2));
