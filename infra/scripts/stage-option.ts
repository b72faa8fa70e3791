import { defaultPersonalStageName } from '../src/stages.ts';

/**
 * Splits the stage out of CDK-style arguments (`-c stage=NAME`, `--context stage=NAME`, or the
 * `=` forms), so that the scripts can check it before they hand the rest to the CDK CLI.
 */
export function takeStage(args: readonly string[]): { stage: string; rest: string[] } {
  const rest: string[] = [];
  let stage: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const inline = /^(?:-c|--context)=stage=(.+)$/.exec(arg);
    const next = args[i + 1] ?? '';
    if (inline) stage = inline[1];
    else if ((arg === '-c' || arg === '--context') && next.startsWith('stage=')) {
      stage = next.slice('stage='.length);
      i += 1;
    } else rest.push(arg);
  }
  return { stage: stage ?? defaultPersonalStageName(), rest };
}
