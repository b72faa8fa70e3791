/**
 * The soak's progress on stderr: redrawn in place on a terminal, one line every few seconds
 * otherwise (CI logs, pipes), so a long run always shows it is alive.
 */
export interface ProgressFigures {
  placed: number;
  accepted: number;
  total: number;
  settled: number;
  retries: number;
  faults: number;
  phase: string;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5_000) {
  const started = performance.now();
  const tty = stream.isTTY === true && !process.env.CI;
  let lastLine = 0;
  let drawn = false;

  const render = (figures: ProgressFigures): string => {
    const seconds = (performance.now() - started) / 1000;
    const done = figures.total === 0 ? 1 : figures.settled / figures.total;
    const width = 24;
    const filled = Math.round(done * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    return (
      `soak ${bar} ${figures.phase}: placed ${figures.placed}/${figures.total}, ` +
      `accepted ${figures.accepted}, settled ${figures.settled}, retries ${figures.retries}, ` +
      `faults ${figures.faults}, ${seconds.toFixed(0)} s`
    );
  };

  return {
    update(figures: ProgressFigures) {
      if (tty) {
        stream.write(`\r\x1b[2K${render(figures)}`);
        drawn = true;
      } else if (performance.now() - lastLine >= intervalMs) {
        lastLine = performance.now();
        stream.write(`${render(figures)}\n`);
      }
    },
    /** A message between updates, on its own line. */
    note(text: string) {
      if (drawn) stream.write('\r\x1b[2K');
      stream.write(`${text}\n`);
    },
    finish(figures: ProgressFigures) {
      if (tty) stream.write(`\r\x1b[2K${render(figures)}\n`);
      else stream.write(`${render(figures)}\n`);
      drawn = false;
    },
  };
}
