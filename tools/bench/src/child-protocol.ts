/** Messages between the bench (runner.ts) and a function's process (invoke-child.ts). */
export type ParentMessage = { type: 'invoke'; event: unknown } | { type: 'stop' };

export type ChildMessage =
  | { type: 'cold'; importMs: number; totalMs: number; ok: boolean; result: unknown }
  | { type: 'warm'; ms: number; ok: boolean; result: unknown };
