import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from './child-protocol.ts';

const childScript = fileURLToPath(new URL('./invoke-child.ts', import.meta.url));

export interface ColdRun {
  importMs: number;
  totalMs: number;
  ok: boolean;
  result: unknown;
}

export interface FunctionProcess {
  cold: ColdRun;
  /** One more invocation in the same (now warm) process: the handler's own time, in ms. */
  invoke(event: unknown): Promise<{ ms: number; ok: boolean; result: unknown }>;
  stop(): Promise<void>;
}

/**
 * Starts a fresh Node process (this Node: the project's Node 24) that imports `bundle` and invokes
 * it once with `event`. NODE_EXTRA_CA_CERTS is removed from its environment: this machine sets it,
 * and loading the extra certificates adds ~50 ms to every Node start, before our clock starts but
 * competing for the CPU all the same.
 */
export async function startFunctionProcess(options: {
  bundle: string;
  exportName?: string;
  event: unknown;
  env: Record<string, string>;
}): Promise<FunctionProcess> {
  const child = fork(
    childScript,
    [options.bundle, options.exportName ?? 'handler', JSON.stringify(options.event)],
    {
      env: options.env,
      execArgv: [],
      // A function's log lines go where Lambda sends them: nowhere the bench reads.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const pending: ((message: ChildMessage) => void)[] = [];
  child.on('message', (message: ChildMessage) => pending.shift()?.(message));
  const next = () =>
    new Promise<ChildMessage>((resolve, reject) => {
      pending.push(resolve);
      exited.then((code) =>
        reject(new Error(`${options.bundle} exited (${code}) before answering:\n${stderr}`)),
      );
    });
  const post = (message: ParentMessage) => child.send(message);

  const cold = await next();
  if (cold.type !== 'cold') throw new Error(`Expected the cold start's answer, got ${cold.type}`);
  return {
    cold,
    async invoke(event) {
      const answer = next();
      post({ type: 'invoke', event });
      const warm = await answer;
      if (warm.type !== 'warm') throw new Error(`Expected a warm answer, got ${warm.type}`);
      return warm;
    },
    async stop() {
      if (child.connected) post({ type: 'stop' });
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The environment a function's process gets: its template variables and the local endpoints. */
export function functionEnvironment(
  functionName: string,
  variables: Record<string, string>,
  base: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...base,
    ...variables,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}
