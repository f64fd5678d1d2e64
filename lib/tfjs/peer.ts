// Loads TensorFlow.js, the optional peer dependency of this subpath. The main
// entry never comes here: only 'bilevel-projection/tfjs' needs tfjs, so a
// user without it pays nothing, and a user who imports this subpath without
// it gets one line that says what to install rather than Node's require stack.
import type * as TfModule from '@tensorflow/tfjs';
import { missingPeer } from '../errors';

export type Tf = typeof TfModule;

// @tensorflow/tfjs-node re-exports the whole of @tensorflow/tfjs; it is tried
// second so that an install where npm nested tfjs under tfjs-node still works.
const CANDIDATES = ['@tensorflow/tfjs', '@tensorflow/tfjs-node'] as const;

function notFound(err: unknown, id: string): boolean {
  const e = err as { code?: unknown; message?: unknown };
  // Only the package itself missing counts: a module missing *inside* an
  // installed tfjs is a broken install and keeps its own error.
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.startsWith(`Cannot find module '${id}'`);
}

/** The tfjs module, or the one-line ERR_BP_MISSING_PEER error. `load` is require, replaceable in tests. */
export function loadTfjs(load: (id: string) => unknown = require): Tf {
  for (const id of CANDIDATES) {
    try {
      return load(id) as Tf;
    } catch (err) {
      if (!notFound(err, id)) throw err;
    }
  }
  throw missingPeer(
    "bilevel-projection/tfjs needs TensorFlow.js, which is not installed: run `npm install @tensorflow/tfjs` (4.x; @tensorflow/tfjs-node also works)",
  );
}
