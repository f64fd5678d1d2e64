// A one-line progress bar on stderr for long runs (SAE training, out-of-core
// passes): redrawn in place on a terminal (at most ten times a second), a
// plain line every 10 % otherwise (logs, CI), so stdout stays clean for
// results. Any application reports progress as (completed, total) plus its
// own words for where it is.

/** What a progress report needs: how far, and an optional detail. */
export interface Progress {
  completed: number;
  total: number;
}

export interface ProgressBar<P extends Progress = Progress> {
  update(p: P): void;
  /** Clears the line (terminal) so the next output starts clean. */
  done(): void;
}

export function progressBar<P extends Progress>(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  enabled = true,
  detail: (p: P) => string = () => '',
): ProgressBar<P> {
  const started = Date.now();
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(p) {
      if (!enabled) return;
      const frac = p.total > 0 ? p.completed / p.total : 1;
      const elapsed = (Date.now() - started) / 1000;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
      const more = detail(p);
      const text =
        `${label} ${(100 * frac).toFixed(0).padStart(3)}%${more ? ` ${more}` : ''} ${elapsed.toFixed(0)}s` +
        (Number.isFinite(eta) ? ` (~${eta.toFixed(0)}s left)` : '');
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && p.completed < p.total) return;
        lastDraw = now;
        const width = 24;
        const full = Math.round(frac * width);
        stream.write(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${text}\x1b[K`);
        drawn = true;
      } else {
        const decile = Math.floor(frac * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${text}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
