#!/usr/bin/env node
// The `bilevel-projection` command: the demo now, the paper's experiments as
// they land. Results go to stdout, progress and errors to stderr.
import { runDemo } from './demo';

const USAGE = `Usage: bilevel-projection <command>

Commands:
  demo    project a small matrix and show which columns survive (default)
  help    this text
`;

function main(argv: string[]): number {
  const [cmd = 'demo'] = argv;
  switch (cmd) {
    case 'demo':
      runDemo();
      return 0;
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
