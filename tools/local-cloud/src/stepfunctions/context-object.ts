import { localStateKey } from './context-paths.ts';
import { isObject, type Json, nestedMachines } from './definition.ts';
import { newTaskToken } from './task-tokens.ts';

/**
 * The Context Object of one local execution, with the values AWS gives: what its definition's
 * `$$.Execution`, `$$.StateMachine`, `$$.State` and `$$.Task.Token` paths read (context-paths.ts
 * pointed the first and third at `LocalExecution` and `LocalStates`).
 */
export interface ContextExecution {
  executionArn: string;
  name: string;
  /** JSON text. */
  input: string;
  roleArn: string;
  startDate: Date;
}

interface StateEntry {
  enteredTime: string;
  retries: number;
}

export class ExecutionContext {
  /** What the library's `context` run option is given. */
  readonly object: Json;
  readonly #entries = new Map<string, StateEntry>();
  #pendingToken: string | undefined;

  constructor(
    machine: { arn: string; name: string; stateNames: readonly string[] },
    execution: ContextExecution,
  ) {
    const entries = this.#entries;
    const claimPending = () => {
      this.#pendingToken ??= newTaskToken();
      return this.#pendingToken;
    };
    this.object = {
      LocalExecution: {
        Id: execution.executionArn,
        // Parsed per read: a state's result must not share objects with the context.
        get Input() {
          return JSON.parse(execution.input) as unknown;
        },
        Name: execution.name,
        RoleArn: execution.roleArn,
        StartTime: execution.startDate.toISOString(),
        RedriveCount: 0,
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
      // Read while the library evaluates a .waitForTaskToken state's Parameters; the state's task
      // handler, called right after with no await in between, claims the token.
      Task: {
        get Token() {
          return claimPending();
        },
      },
      LocalStates: Object.fromEntries(
        machine.stateNames.map((stateName, index) => [
          localStateKey(index),
          {
            Name: stateName,
            get EnteredTime() {
              return entries.get(stateName)?.enteredTime ?? new Date().toISOString();
            },
            get RetryCount() {
              return entries.get(stateName)?.retries ?? 0;
            },
          },
        ]),
      ),
    };
  }

  /** `$$.State.EnteredTime` is now and `$$.State.RetryCount` 0, or the attempts a resumed state had made. */
  stateEntered(stateName: string, retries = 0): void {
    this.#entries.set(stateName, { enteredTime: new Date().toISOString(), retries });
  }

  /** Called before the library sees the failure, so that a retry's Parameters read the new count. */
  taskFailed(stateName: string): void {
    const entry = this.#entries.get(stateName);
    if (entry) entry.retries += 1;
  }

  /** The token `$$.Task.Token` gave the task's Parameters (a new one if they did not read it). */
  claimTaskToken(): string {
    const token = this.#pendingToken ?? newTaskToken();
    this.#pendingToken = undefined;
    return token;
  }
}

/**
 * A per-execution copy of the prepared definition whose `States` objects report each state entry.
 * The library reads `States[name]` exactly once per transition (retries re-run the state without
 * it), which is the one synchronous signal of a state entry it offers: `$$.State.EnteredTime`,
 * `$$.State.RetryCount` and the sequence of the history's task events are built on it. `firstEntry`
 * stands in for one state on its first entry (a resumed state, with the retries it has left).
 */
export function instrumentStateEntries(
  prepared: Json,
  onEnter: (stateName: string) => void,
  firstEntry?: { stateName: string; state: Json },
): Json {
  const copy = structuredClone(prepared);
  let standIn = firstEntry;
  const instrument = (machine: Json): void => {
    const states = machine.States;
    if (!isObject(states)) return;
    for (const state of Object.values(states)) {
      if (isObject(state)) for (const nested of nestedMachines(state)) instrument(nested);
    }
    machine.States = new Proxy(states, {
      get(target, property, receiver) {
        if (typeof property !== 'string' || !Object.hasOwn(target, property)) {
          return Reflect.get(target, property, receiver);
        }
        onEnter(property);
        if (standIn?.stateName === property) {
          const { state } = standIn;
          standIn = undefined;
          return state;
        }
        return Reflect.get(target, property, receiver);
      },
    });
  };
  instrument(copy);
  return copy;
}
