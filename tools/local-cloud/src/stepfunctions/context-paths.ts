/**
 * The JSONPaths of a state that read the Context Object (`$$.…`), checked against what the local
 * executions provide and pointed at where they provide it: `$$.State` at this state's own entry
 * (the library does not maintain it), and `$$.Execution` at the execution's (the library gives a
 * Parallel branch or a Map iteration its own input and start time there). See context-object.ts.
 */
type Json = Record<string, unknown>;

/** The Context Object roots the local executions provide. */
const CONTEXT_ROOTS = new Set(['Execution', 'StateMachine', 'State', 'Task', 'Map']);
const CONTEXT_ROOT = /\$\$\.([A-Za-z]+)/g;
const STATE_CONTEXT = /\$\$\.State(?![\w])/g;
const EXECUTION_CONTEXT = /\$\$\.Execution(?![\w])/g;
const TASK_CONTEXT_OTHER_THAN_TOKEN = /\$\$\.Task(?!\.Token(?![\w]))/;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where the rewritten paths of the state with this index read its `$$.State`. */
export const localStateKey = (stateIndex: number) => `s${stateIndex}`;

/**
 * Rewrites the state's paths in place; returns the problems of the paths the local executions
 * cannot answer as AWS would.
 */
export function pointContextPaths(
  state: Json,
  where: string,
  options: { stateIndex: number; waitsForTaskToken: boolean },
): string[] {
  const problems: string[] = [];
  rewritePaths(state, (path) => {
    for (const [, root] of path.matchAll(CONTEXT_ROOT)) {
      if (!root || !CONTEXT_ROOTS.has(root)) {
        problems.push(`${where}: $$.${root} is not available locally (in ${path})`);
      }
    }
    if (
      path.includes('$$.Task') &&
      (!options.waitsForTaskToken || TASK_CONTEXT_OTHER_THAN_TOKEN.test(path))
    ) {
      problems.push(`${where}: only a .waitForTaskToken task can read $$.Task.Token (in ${path})`);
    }
    return path
      .replace(STATE_CONTEXT, () => `$$.LocalStates.${localStateKey(options.stateIndex)}`)
      .replace(EXECUTION_CONTEXT, () => '$$.LocalExecution');
  });
  return problems;
}

/** Replaces, in place, every JSONPath of a state's own fields (not of its nested states). */
function rewritePaths(state: Json, rewrite: (path: string) => string): void {
  for (const [field, value] of Object.entries(state)) {
    if (typeof value === 'string' && field.endsWith('Path')) state[field] = rewrite(value);
  }
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector']) {
    if (state[field] !== undefined) state[field] = rewriteTemplate(state[field], rewrite);
  }
  if (Array.isArray(state.Choices)) {
    for (const rule of state.Choices) rewriteChoiceRule(rule, rewrite);
  }
}

/** In a payload template, the values of the fields named `<name>.$` are paths or intrinsic functions. */
function rewriteTemplate(template: unknown, rewrite: (path: string) => string): unknown {
  if (Array.isArray(template)) return template.map((item) => rewriteTemplate(item, rewrite));
  if (!isObject(template)) return template;
  return Object.fromEntries(
    Object.entries(template).map(([field, value]) => [
      field,
      field.endsWith('.$') && typeof value === 'string' ? rewrite(value) : rewriteTemplate(value, rewrite),
    ]),
  );
}

function rewriteChoiceRule(rule: unknown, rewrite: (path: string) => string): void {
  if (!isObject(rule)) return;
  for (const [field, value] of Object.entries(rule)) {
    if (typeof value === 'string' && (field === 'Variable' || field.endsWith('Path')))
      rule[field] = rewrite(value);
  }
  for (const inner of [
    rule.Not,
    ...(Array.isArray(rule.And) ? rule.And : []),
    ...(Array.isArray(rule.Or) ? rule.Or : []),
  ]) {
    rewriteChoiceRule(inner, rewrite);
  }
}
