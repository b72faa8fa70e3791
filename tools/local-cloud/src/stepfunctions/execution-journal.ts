import { JsonLinesJournal } from '../kit/json-lines-journal.ts';
import { type HistoryEvent, revivedEvent } from './history.ts';

/**
 * Keeps Step Functions executions across a restart of the local cloud (`--persist`): every start,
 * every history event, every top-level state entered (with its input) and every end is appended to
 * a JSON-lines file, in the same synchronous write as the event, so a killed process loses nothing
 * it had acknowledged.
 *
 * On the next start, the executions that had ended are described, listed and have their history
 * as before (for AWS's 90 days after they ended; their names stay taken as long), and those that
 * had not are resumed at the last state they entered, with that state's input, their start date
 * and their history: the state runs again, so the workflow's steps must be idempotent (a Step
 * Functions task is at-least-once on AWS too).
 *
 * A file of the earlier format (no `event` lines, an `end` with its status only) is read as it is:
 * its ended executions are described without their stop date, output or history.
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
  /** Its history so far, in order. */
  events: HistoryEvent[];
}

/** How an execution ended, as DescribeExecution reports it. */
export interface ExecutionEnd {
  status: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export type EndedExecution = Omit<JournaledExecution, 'resumeAt'> & ExecutionEnd;

/** How long AWS keeps an execution that ended (its name stays taken as long). */
const RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

type StartLine = { kind: 'start' } & Omit<JournaledExecution, 'resumeAt' | 'events'>;
type Line =
  | StartLine
  | { kind: 'event'; executionArn: string; event: HistoryEvent }
  | { kind: 'state'; executionArn: string; stateName: string; input: string }
  | ({ kind: 'end'; executionArn: string } & ExecutionEnd);

export interface OpenedJournal {
  journal: ExecutionJournal;
  /** The executions to resume, oldest first. */
  unfinished: JournaledExecution[];
  /** The executions that had ended, oldest first. */
  ended: EndedExecution[];
}

export class ExecutionJournal {
  private readonly file: JsonLinesJournal<Line>;

  /**
   * Reads what the last runs left, and starts a fresh file holding only that: the executions that
   * ended within the retention period and those to resume.
   */
  static open(dir: string, now = new Date()): OpenedJournal {
    const file = new JsonLinesJournal<Line>(dir, 'executions.jsonl');
    const open = new Map<string, JournaledExecution>();
    const ended = new Map<string, EndedExecution>();
    for (const line of file.read()) {
      if (line.kind === 'start') {
        const { kind: _kind, ...execution } = line;
        open.set(line.executionArn, { ...execution, events: [] });
        continue;
      }
      const execution = open.get(line.executionArn);
      if (!execution) continue;
      if (line.kind === 'event') execution.events.push(revivedEvent(line.event));
      else if (line.kind === 'state') execution.resumeAt = { stateName: line.stateName, input: line.input };
      else {
        const { kind: _kind, executionArn: _arn, ...end } = line;
        const { resumeAt: _resumeAt, ...described } = execution;
        open.delete(line.executionArn);
        ended.set(line.executionArn, { ...described, ...end });
      }
    }
    const kept = [...ended.values()].filter(
      (execution) => now.getTime() - Date.parse(execution.stopDate ?? execution.startDate) < RETENTION_MS,
    );
    const unfinished = [...open.values()];
    file.rewrite([...kept.flatMap(endedLines), ...unfinished.flatMap(unfinishedLines)]);
    return { journal: new ExecutionJournal(file), unfinished, ended: kept };
  }

  private constructor(file: JsonLinesJournal<Line>) {
    this.file = file;
  }

  started(execution: Omit<JournaledExecution, 'resumeAt' | 'events'>): void {
    this.append(startLine(execution));
  }

  recorded(executionArn: string, event: HistoryEvent): void {
    this.append({ kind: 'event', executionArn, event });
  }

  entered(executionArn: string, state: { stateName: string; input: string }): void {
    this.append({ kind: 'state', executionArn, ...state });
  }

  ended(executionArn: string, status: string, details: Omit<ExecutionEnd, 'status'> = {}): void {
    this.append({ kind: 'end', executionArn, ...endOf({ ...details, status }) });
  }

  private append(line: Line): void {
    this.file.append([line]);
  }
}

function startLine(execution: Omit<JournaledExecution, 'resumeAt' | 'events'>): StartLine {
  const { executionArn, stateMachineArn, name, input, startDate } = execution;
  return { kind: 'start', executionArn, stateMachineArn, name, input, startDate };
}

const eventLines = (executionArn: string, events: readonly HistoryEvent[]): Line[] =>
  events.map((event) => ({ kind: 'event', executionArn, event }));

function unfinishedLines(execution: JournaledExecution): Line[] {
  const { executionArn, resumeAt, events } = execution;
  return [
    startLine(execution),
    ...eventLines(executionArn, events),
    ...(resumeAt ? [{ kind: 'state' as const, executionArn, ...resumeAt }] : []),
  ];
}

function endedLines(execution: EndedExecution): Line[] {
  const { executionArn, events } = execution;
  return [
    startLine(execution),
    ...eventLines(executionArn, events),
    { kind: 'end', executionArn, ...endOf(execution) },
  ];
}

/** The end's fields that are known (an earlier format's end has its status only). */
export function endOf(execution: ExecutionEnd): ExecutionEnd {
  const end: ExecutionEnd = { status: execution.status };
  for (const field of ['stopDate', 'output', 'error', 'cause'] as const) {
    const value = execution[field];
    if (value !== undefined) end[field] = value;
  }
  return end;
}
