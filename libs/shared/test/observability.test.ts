import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createObservability } from '../src/observability.ts';

/** What the function's logger writes (stdout, and stderr for errors), one JSON entry per line. */
function captureLogLines() {
  const lines: string[] = [];
  const record = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  return {
    entries: () =>
      lines
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    text: () => lines.join(''),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

describe('the function logger', () => {
  let capture: ReturnType<typeof captureLogLines> | undefined;
  // The tests' environment silences function logs; these tests read them.
  beforeEach(() => vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO'));
  afterEach(() => {
    capture?.restore();
    vi.unstubAllEnvs();
  });

  it('redacts a payment token logged under any field named token, at any depth', () => {
    const { logger } = createObservability();
    capture = captureLogLines();
    logger.info('Payment requested', {
      command: { payment: { method: 'card', token: 'pm-opaque-secret-7f3a9c' } },
      taskToken: 'AAAAKgAAAAIAAAAAAAAAAQ-secret',
      headers: { Authorization: 'Bearer secret' },
    });
    const [entry] = capture.entries();
    expect(entry.command.payment).toEqual({ method: 'card', token: '[REDACTED]' });
    expect(entry.taskToken).toBe('[REDACTED]');
    expect(entry.headers.Authorization).toBe('[REDACTED]');
    expect(capture.text()).not.toContain('secret');
  });

  it('redacts test-provider tokens quoted in messages and errors', () => {
    const { logger } = createObservability();
    capture = captureLogLines();
    logger.error('Authorization failed for tok_visa', new Error('The provider refused tok_declined_42'));
    const text = capture.text();
    expect(text).not.toMatch(/tok_visa|tok_declined_42/);
    expect(capture.entries()[0].message).toBe('Authorization failed for tok_[REDACTED]');
  });

  it('keeps every other field as it was', () => {
    const { logger } = createObservability();
    capture = captureLogLines();
    logger.info('Order placed', { orderId: 'ord_1', total: 2999, method: 'card' });
    expect(capture.entries()[0]).toMatchObject({ message: 'Order placed', orderId: 'ord_1', total: 2999 });
  });
});
