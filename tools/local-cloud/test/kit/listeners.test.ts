import { describe, expect, it } from 'vitest';
import { Listeners } from '../../src/kit/listeners.ts';

describe('the listeners of a local service', () => {
  it('calls every listener with each event, in the order they subscribed', () => {
    const listeners = new Listeners<number>(() => {});
    const seen: string[] = [];
    listeners.add((event) => seen.push(`first ${event}`));
    listeners.add((event) => seen.push(`second ${event}`));

    listeners.emit(1);
    listeners.emit(2);

    expect(seen).toEqual(['first 1', 'second 1', 'first 2', 'second 2']);
  });

  it('stops calling a listener once it unsubscribes, and only that subscription', () => {
    const listeners = new Listeners<string>(() => {});
    const seen: string[] = [];
    const record = (event: string) => seen.push(event);
    const unsubscribe = listeners.add(record);
    listeners.add(record);

    unsubscribe();
    listeners.emit('after');

    expect(seen).toEqual(['after']);
  });

  it('reports a listener that throws with the event it failed on, and still calls the others', () => {
    const failures: Array<{ error: unknown; event: string }> = [];
    const listeners = new Listeners<string>((error, event) => failures.push({ error, event }));
    const seen: string[] = [];
    const broken = new Error('the view is broken');
    listeners.add(() => {
      throw broken;
    });
    listeners.add((event) => seen.push(event));

    expect(() => listeners.emit('order placed')).not.toThrow();
    expect(failures).toEqual([{ error: broken, event: 'order placed' }]);
    expect(seen).toEqual(['order placed']);
  });

  it('calls no one after clear', () => {
    const listeners = new Listeners<string>(() => {});
    const seen: string[] = [];
    listeners.add((event) => seen.push(event));

    listeners.clear();
    listeners.emit('ignored');

    expect(seen).toEqual([]);
  });
});
