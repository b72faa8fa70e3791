import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { LogEntry } from '../contracts.ts';
import { type ExecutionEnvironment, startEnvironment } from './execution-environment.ts';
import { rootedSourceMapUrl } from './source-root.ts';
import type { EnvironmentContext, LambdaError } from './worker-protocol.ts';

/**
 * The execution environments of one function, as Lambda keeps them: a warm one is reused, a new one
 * is started (a cold start) while fewer than the function's concurrency run, and past that an
 * invocation waits for one to be free.
 */
export interface LambdaFunctionConfig {
  /** The name callers invoke it by (the template's logical id). */
  name: string;
  /** Absolute path of the bundle, e.g. `apps/tickets/dist/open-ticket/index.mjs`. */
  handlerFile: string;
  handlerExport: string;
  /** The function's own variables, from the template. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** Environments running at once; more invocations wait for one. Default 10. */
  maxConcurrency?: number;
}

export interface FunctionStats {
  functionName: string;
  environments: number;
  busy: number;
  queued: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  lastInitDurationMs?: number;
}

const DEFAULT_MAX_CONCURRENCY = 10;
// What an environment retired by a reload would report, had an invocation still been running in it.
const RETIRED: LambdaError = {
  errorType: 'Runtime.ExitError',
  errorMessage: 'Error: Runtime exited: the function was given new code',
};

// Variables of the developer's shell a function may need to run at all. Nothing else is inherited:
// AWS_PROFILE, real keys or a session token must never reach a function (docs/local-cloud.md).
const INHERITED_VARIABLES = ['PATH', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'TZ', 'SYSTEMROOT'];
const FORBIDDEN_VARIABLES = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN'];

export class FunctionPool {
  readonly arn: string;
  invocations = 0;
  errors = 0;
  coldStarts = 0;
  lastInitDurationMs: number | undefined;
  readonly #maxConcurrency: number;
  readonly #live = new Set<ExecutionEnvironment>();
  readonly #idle: ExecutionEnvironment[] = [];
  readonly #waiting: (() => void)[] = [];
  readonly #baseEnvironment: Record<string, string>;
  readonly #log: (entry: LogEntry) => void;
  #config: LambdaFunctionConfig;
  /** Environments of code a reload replaced, each ended when its invocation returns. */
  readonly #retiring = new Set<ExecutionEnvironment>();
  /** Made on the first cold start of the current code (src/lambda/source-root.ts); null for none. */
  #sourceMapUrl: string | null | undefined;

  constructor(
    config: LambdaFunctionConfig,
    where: { arn: string; baseEnvironment: Record<string, string>; log: (entry: LogEntry) => void },
  ) {
    if (!(config.timeoutSeconds > 0)) throw new Error(`Function ${config.name} needs a positive timeout`);
    this.#config = config;
    this.arn = where.arn;
    this.#maxConcurrency = config.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.#baseEnvironment = where.baseEnvironment;
    this.#log = where.log;
  }

  /**
   * A warm environment, else a new one (a cold start) while under maxConcurrency, else waits for
   * either. Undefined once `stopped` says the runtime has stopped.
   */
  async acquire(
    stopped: () => boolean,
  ): Promise<{ environment: ExecutionEnvironment; cold: boolean } | undefined> {
    while (!stopped()) {
      const warm = this.#idle.pop();
      if (warm) {
        if (warm.alive) return { environment: warm, cold: false };
        continue;
      }
      if (this.#live.size < this.#maxConcurrency) return { environment: this.#start(), cold: true };
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    return undefined;
  }

  /** The function as it runs now: its handler file is the last reload's. */
  get config(): LambdaFunctionConfig {
    return this.#config;
  }

  release(environment: ExecutionEnvironment): void {
    if (this.#retiring.delete(environment)) void environment.terminate(RETIRED);
    else if (environment.alive) this.#idle.push(environment);
    else this.#live.delete(environment);
    this.#waiting.shift()?.();
  }

  /**
   * Runs `handlerFile` from the next invocation on: the idle environments end now, the busy ones
   * once their invocation has returned, so nothing in flight changes code halfway.
   */
  reload(handlerFile: string): void {
    this.#config = { ...this.#config, handlerFile };
    this.#sourceMapUrl = undefined;
    const idle = new Set(this.#idle.splice(0));
    for (const environment of this.#live) {
      if (idle.has(environment)) void environment.terminate(RETIRED);
      else this.#retiring.add(environment);
    }
  }

  stats(): FunctionStats {
    return {
      functionName: this.config.name,
      environments: this.#live.size,
      busy: this.#live.size - this.#idle.length,
      queued: this.#waiting.length,
      invocations: this.invocations,
      errors: this.errors,
      coldStarts: this.coldStarts,
      ...(this.lastInitDurationMs === undefined ? {} : { lastInitDurationMs: this.lastInitDurationMs }),
    };
  }

  /** Wakes the invocations waiting (they find the runtime stopped) and ends every environment. */
  async stop(reason: LambdaError): Promise<void> {
    for (const wake of this.#waiting.splice(0)) wake();
    this.#retiring.clear();
    const terminations = [...this.#live].map((environment) => environment.terminate(reason));
    this.#idle.length = 0;
    await Promise.all(terminations);
  }

  #start(): ExecutionEnvironment {
    const config = this.#config;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    const context: EnvironmentContext = {
      functionName: config.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.arn,
      memoryLimitInMB: String(config.memoryMb),
      logGroupName: `/aws/lambda/${config.name}`,
      logStreamName,
    };
    const env = functionEnvironment(config, context, this.#baseEnvironment);
    const sourceMapUrl = env.NODE_OPTIONS?.includes('--enable-source-maps')
      ? this.#rootedSourceMapUrl()
      : undefined;
    const environment: ExecutionEnvironment = startEnvironment({
      setup: {
        handlerFile: config.handlerFile,
        handlerExport: config.handlerExport,
        ...(sourceMapUrl ? { sourceMapUrl } : {}),
      },
      context,
      env,
      timeoutSeconds: config.timeoutSeconds,
      memoryMb: config.memoryMb,
      log: this.#log,
      onExit: () => {
        this.#live.delete(environment);
        this.#retiring.delete(environment);
        const index = this.#idle.indexOf(environment);
        if (index >= 0) this.#idle.splice(index, 1);
        // Room for a new environment: let a waiting invocation start one.
        this.#waiting.shift()?.();
      },
    });
    this.#live.add(environment);
    return environment;
  }

  #rootedSourceMapUrl(): string | undefined {
    if (this.#sourceMapUrl === undefined) {
      try {
        this.#sourceMapUrl = rootedSourceMapUrl(this.#config.handlerFile) ?? null;
      } catch {
        // A bundle that cannot be read fails in its environment, as Lambda reports it.
        this.#sourceMapUrl = null;
      }
    }
    return this.#sourceMapUrl ?? undefined;
  }
}

/**
 * What a function's module scope sees in process.env: the shared local settings, its own variables
 * from the template, and the variables Lambda sets. AWS_EXECUTION_ENV (`AWS_Lambda_nodejs24.x` on
 * Lambda) is left out: the SDK and Powertools only put it in their user agents, and this runtime is
 * not Lambda's.
 */
export function functionEnvironment(
  config: LambdaFunctionConfig,
  context: EnvironmentContext,
  baseEnvironment: Record<string, string>,
): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  const env: Record<string, string> = {
    ...inherited,
    // An AWS service the local cloud does not serve gets an endpoint that refuses at once, never
    // AWS itself; the services it does serve override this with AWS_ENDPOINT_URL_<SERVICE>.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...baseEnvironment,
    ...config.environment,
    AWS_LAMBDA_FUNCTION_NAME: config.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: context.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: context.logStreamName,
    LAMBDA_TASK_ROOT: dirname(config.handlerFile),
    _HANDLER: `index.${config.handlerExport}`,
  };
  if (env.AWS_REGION && !env.AWS_DEFAULT_REGION) env.AWS_DEFAULT_REGION = env.AWS_REGION;
  for (const name of FORBIDDEN_VARIABLES) delete env[name];
  return env;
}
