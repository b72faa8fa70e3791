import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import { describeError, isAtLeast, serviceLog } from '../../src/kit/service-log.ts';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("a local service's log", () => {
  it('tags every line with the service and the time, at the level it was written with', () => {
    const entries: LogEntry[] = [];
    const log = serviceLog((entry) => entries.push(entry), 'eventbridge');

    log.debug('one');
    log.info('two', { eventId: 'e-1' });
    log.warn('three');
    log.error('four');

    expect(entries).toEqual([
      { source: 'eventbridge', level: 'DEBUG', message: 'one', time: expect.stringMatching(ISO_TIME) },
      {
        source: 'eventbridge',
        level: 'INFO',
        message: 'two',
        time: expect.stringMatching(ISO_TIME),
        fields: { eventId: 'e-1' },
      },
      { source: 'eventbridge', level: 'WARN', message: 'three', time: expect.stringMatching(ISO_TIME) },
      { source: 'eventbridge', level: 'ERROR', message: 'four', time: expect.stringMatching(ISO_TIME) },
    ]);
  });

  it("writes lines about one thing under its own source and with its order's correlation id", () => {
    const entries: LogEntry[] = [];
    const log = serviceLog((entry) => entries.push(entry), 'stepfunctions');

    log.with({ source: 'PaymentWorkflow', correlationId: 'c-1' }).info('Execution started');
    log.with({ correlationId: undefined }).info('no order');
    log.info('the service itself');

    expect(entries.map(({ source, correlationId }) => ({ source, correlationId }))).toEqual([
      { source: 'PaymentWorkflow', correlationId: 'c-1' },
      { source: 'stepfunctions', correlationId: undefined },
      { source: 'stepfunctions', correlationId: undefined },
    ]);
    expect(entries[1]).not.toHaveProperty('correlationId');
  });

  it('drops what is below its minimum level, its own lines and the entries written through it', () => {
    const entries: LogEntry[] = [];
    const log = serviceLog((entry) => entries.push(entry), 'lambda', { minimumLevel: 'WARN' });
    const functionLine = (level: LogEntry['level']): LogEntry => ({
      source: 'PlaceOrderFunction',
      level,
      message: `a ${level} line`,
      time: '2025-03-10T14:15:03.000Z',
    });

    log.info('dropped');
    log.warn('kept');
    log.write(functionLine('DEBUG'));
    log.write(functionLine('ERROR'));

    expect(entries.map(({ source, message }) => `${source}: ${message}`)).toEqual([
      'lambda: kept',
      'PlaceOrderFunction: a ERROR line',
    ]);
  });

  it('keeps the service running when the sink throws', () => {
    const log = serviceLog(() => {
      throw new Error('the terminal is gone');
    }, 'cognito');

    expect(() => log.error('a request failed')).not.toThrow();
  });

  it('orders the levels from DEBUG to ERROR', () => {
    expect(isAtLeast('ERROR', 'WARN')).toBe(true);
    expect(isAtLeast('WARN', 'WARN')).toBe(true);
    expect(isAtLeast('INFO', 'WARN')).toBe(false);
    expect(isAtLeast('DEBUG', 'INFO')).toBe(false);
  });

  it('says an error by its message, and anything else thrown as it is', () => {
    expect(describeError(new TypeError('queue unavailable'))).toBe('queue unavailable');
    expect(describeError('a string')).toBe('a string');
    expect(describeError(42)).toBe('42');
  });
});
