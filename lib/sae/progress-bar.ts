// A one-line progress bar on stderr for long SAE runs: redrawn in place on a
// terminal (at most ten times a second), a plain line every 10 % otherwise
// (logs, CI), so stdout stays clean for results.
import type { SaeProgress } from './options';

export interface ProgressBar {
  update(p: SaeProgress): void;
  /** Clears the line (terminal) so the next output starts clean. */
  done(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, enabled = true): ProgressBar {
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
      const text =
        `${label} ${(100 * frac).toFixed(0).padStart(3)}% fold ${p.fold + 1}/${p.folds} phase ${p.phase} epoch ${p.epoch} ` +
        `test acc ${(100 * p.testAccuracy).toFixed(1)}% ${elapsed.toFixed(0)}s` + (Number.isFinite(eta) ? ` (~${eta.toFixed(0)}s left)` : '');
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
