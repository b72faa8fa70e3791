/** What an nx run-many said about its tasks, read from the end of its output. */
export interface NxRun {
  status: number;
  /** Task ids (`@shop/infra:lint`) listed under "Failed tasks:". */
  failedTasks: string[];
  /** Task ids listed under "Tasks not run because their dependencies failed ...". */
  tasksNotRun: string[];
}

// Colours and cursor moves, so the headings match whether or not nx wrote to a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The `- <task id>` lines after the last line that starts with `heading`, up to the first other line. */
function listAfter(lines: readonly string[], heading: string): string[] {
  const start = lines.findLastIndex((line) => line.startsWith(heading));
  if (start < 0) return [];
  const tasks: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '' && tasks.length === 0) continue;
    const task = /^- (\S+:\S+)$/.exec(line)?.[1];
    if (!task) break;
    tasks.push(task);
  }
  return tasks;
}

/**
 * nx 23 lists the tasks that failed, and those it did not run, at the end of a failed run (its
 * static output's summary, on stderr). It writes no file of its own for this: the run.json in its
 * cache folder is shared by every checkout of the repository, so a parallel run elsewhere
 * overwrites it.
 */
export function parseNxOutput(status: number, output: string): NxRun {
  const lines = output
    .replace(ANSI, '')
    .split(/\r?\n/)
    .map((line) => line.trim());
  return {
    status,
    failedTasks: listAfter(lines, 'Failed tasks:'),
    tasksNotRun: listAfter(lines, 'Tasks not run because'),
  };
}

/** `@shop/infra:lint` → `@shop/infra` (package names hold no colon). */
export const projectOfTask = (task: string): string => task.slice(0, task.indexOf(':'));
