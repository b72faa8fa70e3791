import { JsonLinesJournal } from '../kit/json-lines-journal.ts';

/**
 * Keeps Step Functions executions across a restart of the local cloud (`--persist`): every start,
 * every top-level state entered (with its input) and every end is appended to a JSON-lines file, in
 * the same synchronous write as the event, so a killed process loses nothing it had acknowledged.
 * On the next start, the executions that had not ended are resumed at the last state they entered,
 * with that state's input: the state runs again, so the workflow's steps must be idempotent (a
 * Step Functions task is at-least-once on AWS too).
 */
export interface JournaledExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  /** The execution's input (JSON text), what `$$.Execution.Input` reads. */
  input: string;
  startDate: string;
  /** The last top-level state entered and its input (JSON text); none yet: resume from the start. */
  resumeAt?: { stateName: string; input: string };
}

type Line =
  | {
      kind: 'start';
      executionArn: string;
      stateMachineArn: string;
      name: string;
      input: string;
      startDate: string;
    }
  | { kind: 'state'; executionArn: string; stateName: string; input: string }
  | { kind: 'end'; executionArn: string; status: string };

export class ExecutionJournal {
  private readonly file: JsonLinesJournal<Line>;

  /**
   * Reads what the last run left unfinished, and starts a fresh file holding only that. `ended`
   * names the executions the last run finished: a name stays taken on AWS once its execution has
   * ended, so a start redelivered after the restart must not run the workflow a second time. The
   * fresh file does not keep them: the names are remembered across one restart, not forever.
   */
  static open(dir: string): { journal: ExecutionJournal; unfinished: JournaledExecution[]; ended: string[] } {
    const file = new JsonLinesJournal<Line>(dir, 'executions.jsonl');
    const open = new Map<string, JournaledExecution>();
    const ended: string[] = [];
    for (const line of file.read()) {
      if (line.kind === 'start') {
        const { kind: _kind, ...execution } = line;
        open.set(line.executionArn, execution);
      } else if (line.kind === 'state') {
        const execution = open.get(line.executionArn);
        if (execution) execution.resumeAt = { stateName: line.stateName, input: line.input };
      } else {
        open.delete(line.executionArn);
        ended.push(line.executionArn);
      }
    }
    const unfinished = [...open.values()];
    file.rewrite(
      unfinished.flatMap(({ resumeAt, ...execution }): Line[] => [
        { kind: 'start', ...execution },
        ...(resumeAt ? [{ kind: 'state' as const, executionArn: execution.executionArn, ...resumeAt }] : []),
      ]),
    );
    return { journal: new ExecutionJournal(file), unfinished, ended };
  }

  private constructor(file: JsonLinesJournal<Line>) {
    this.file = file;
  }

  started(execution: Omit<JournaledExecution, 'resumeAt'>): void {
    const { executionArn, stateMachineArn, name, input, startDate } = execution;
    this.append({ kind: 'start', executionArn, stateMachineArn, name, input, startDate });
  }

  entered(executionArn: string, state: { stateName: string; input: string }): void {
    this.append({ kind: 'state', executionArn, ...state });
  }

  ended(executionArn: string, status: string): void {
    this.append({ kind: 'end', executionArn, status });
  }

  private append(line: Line): void {
    this.file.append([line]);
  }
}
