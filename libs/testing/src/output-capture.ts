import { vi } from 'vitest';

/**
 * What a function writes to stdout and stderr while captured: its log lines and its metrics (EMF),
 * one JSON entry per line. Restore it once read; `capturedWhile` does both around one call.
 */
export function captureOutput() {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  const text = () => chunks.join('');
  return {
    text,
    entries: () =>
      text()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

export async function capturedWhile(
  run: () => Promise<unknown>,
): Promise<{ text: string; entries: Record<string, unknown>[] }> {
  const capture = captureOutput();
  try {
    await run();
  } finally {
    capture.restore();
  }
  return { text: capture.text(), entries: capture.entries() };
}
