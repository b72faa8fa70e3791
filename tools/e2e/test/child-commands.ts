import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type LogEntry, parseReadyLine, type ReadyLine } from '@shop/local-cloud';

/**
 * A command that runs a local cloud (`local-cloud`, `npm start`'s script) as a child process: its
 * JSON log lines go to `logs`, and `ready` is its ready line, or a failure with what it printed when
 * it exits first or does not get ready within `readyWithinMs`.
 */
export function startCloudCommand(
  script: string,
  args: string[],
  logs: LogEntry[],
  readyWithinMs = 30_000,
): { child: ChildProcess; ready: Promise<ReadyLine> } {
  const started = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', LOCAL_FAULTS: '' },
  });
  const printed: string[] = [];
  started.stderr?.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
  const ready = new Promise<ReadyLine>((resolve, reject) => {
    const failed = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${why}; it printed:\n${printed.join('\n').slice(-2_000)}`));
    };
    const timer = setTimeout(
      () => failed(`${script} was not ready within ${readyWithinMs} ms`),
      readyWithinMs,
    );
    started.once('exit', (code) => failed(`${script} exited (${code}) before it was ready`));
    createInterface({ input: started.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const readyLine = parseReadyLine(line);
      if (readyLine) {
        clearTimeout(timer);
        resolve(readyLine);
      } else if (line.startsWith('{')) logs.push(JSON.parse(line) as LogEntry);
      else printed.push(line);
    });
  });
  return { child: started, ready };
}

/** Stops the command by its PID as Ctrl+C would, and waits for it to exit (SIGKILL after 10 s). */
export async function stopCommand(running: ChildProcess | undefined): Promise<void> {
  if (!running?.pid || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  process.kill(running.pid, 'SIGTERM');
  const timer = setTimeout(() => running.pid && process.kill(running.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
