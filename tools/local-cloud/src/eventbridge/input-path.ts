/**
 * The JSONPath subset EventBridge targets use in `InputPath` (`$`, `$.detail`, `$.detail.items[0]`,
 * `$['detail-type']`). Anything richer (wildcards, filters, slices) is refused when the rule is loaded
 * rather than selecting something different from what AWS would.
 */
export type InputPathSelector = (event: unknown) => { found: true; value: unknown } | { found: false };

const STEP = /^(?:\.([^.[\]'"*]+)|\['([^']*)'\]|\["([^"]*)"\]|\[(\d+)\])/;

export function compileInputPath(path: string): InputPathSelector {
  if (!path.startsWith('$')) throw new Error(`InputPath "${path}" must start with $`);
  const steps: Array<string | number> = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (!match)
      throw new Error(`InputPath "${path}" is not supported locally (use $.field, $['field'] or [index])`);
    const [whole, dotted, singleQuoted, doubleQuoted, index] = match;
    steps.push(index === undefined ? (dotted ?? singleQuoted ?? doubleQuoted ?? '') : Number(index));
    rest = rest.slice(whole.length);
  }
  return (event) => {
    let current: unknown = event;
    for (const step of steps) {
      if (typeof step === 'number' ? !Array.isArray(current) : !isRecord(current)) return { found: false };
      const container = current as Record<string | number, unknown>;
      if (!Object.hasOwn(container, step)) return { found: false };
      current = container[step];
    }
    return { found: true, value: current };
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
