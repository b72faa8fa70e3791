/**
 * The listeners of one kind of event a local service reports (an accepted event, an execution's
 * state, an answered request) for a live view. A listener that throws is reported to `onFailure`
 * and never reaches the service: a broken view must not fail a delivery or an execution.
 */
export class Listeners<Event> {
  readonly #listeners = new Set<(event: Event) => void>();
  readonly #onFailure: (error: unknown, event: Event) => void;

  constructor(onFailure: (error: unknown, event: Event) => void) {
    this.#onFailure = onFailure;
  }

  /** Returns the function that unsubscribes. */
  add(listener: (event: Event) => void): () => void {
    // A wrapper of its own, so that one function subscribed twice is called twice and unsubscribed once.
    const subscription = (event: Event) => listener(event);
    this.#listeners.add(subscription);
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  emit(event: Event): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onFailure(error, event);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
