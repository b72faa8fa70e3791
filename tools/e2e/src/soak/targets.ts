import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  ENGINE_FAULTS,
  type FaultDefinition,
  FaultPlan,
  type FaultRates,
  formatFaults,
  type LogEntry,
  startLocalCloud,
  type UserPoolTarget,
} from '@shop/local-cloud';
import { shopPlugin } from '../local-app/shop-plugin.ts';
import { repositoryRoot } from '../prepare-assembly.ts';
import type { StoreEndpoints } from './store-reader.ts';

/**
 * The local cloud a soak drives: one it starts in its own process, one it runs as a child process
 * (so that it can kill it: the restart fault), or one already running at a URL.
 */
export interface SoakTarget {
  /** Read per request: a restarted child listens on new ports. */
  readonly url: string;
  readonly endpoints: StoreEndpoints;
  /** The user pool the API's JWT authorizer trusts, where the soak's customers sign in. */
  readonly userPool: UserPoolTarget;
  /** The stage's bank-webhook secret: the soak plays the bank and signs its notices with it. */
  readonly webhookSecret: string;
  /** Faults that fired so far, by name; undefined when the target cannot tell (a cloud at --url). */
  faultCounts(): Partial<Record<string, number>> | undefined;
  /** Kills the cloud with SIGKILL and starts it again on its --persist folder. */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The local speed-ups a soak's own cloud runs with (documented options): retry intervals / 100 and
 * visibility timeouts capped, so a crashed batch comes back in seconds, not in the template's
 * 3 minutes. Counts of retries and receives are the template's.
 */
export const SOAK_RETRY_INTERVAL_SCALE = 0.01;
export const SOAK_MAX_VISIBILITY_TIMEOUT_SECONDS = 5;

/** The soak's own fault: it kills the cloud (SIGKILL) and starts it again on its --persist folder. */
const RESTART: FaultDefinition = {
  name: 'restart',
  description: 'the local cloud is killed mid-run and started again on its --persist folder',
  defaultRate: 1,
  measure: 'count',
};

/** What a soak can inject: the engine's faults, this application's, and the restart. */
export const SOAK_FAULTS: readonly FaultDefinition[] = [
  ...ENGINE_FAULTS,
  ...(shopPlugin.faults ?? []),
  RESTART,
];

/** Every log entry of the cloud goes to a JSON-lines file, for the why behind a violation. */
function logFile(path: string): { stream: WriteStream; write: (entry: LogEntry) => void } {
  const stream = createWriteStream(path);
  return { stream, write: (entry) => stream.write(`${JSON.stringify(entry)}\n`) };
}

export async function inProcessTarget(options: {
  assemblyDir: string;
  faults: FaultRates;
  seed: number;
  logPath: string;
}): Promise<SoakTarget> {
  const log = logFile(options.logPath);
  const plan = new FaultPlan(options.faults, options.seed);
  const cloud = await startLocalCloud({
    assemblyDir: options.assemblyDir,
    port: 0,
    log: log.write,
    retryIntervalScale: SOAK_RETRY_INTERVAL_SCALE,
    maxVisibilityTimeoutSeconds: SOAK_MAX_VISIBILITY_TIMEOUT_SECONDS,
    plugins: [shopPlugin],
    faults: plan,
  });
  const userPool = cloud.identity.apiUserPool;
  const webhookSecret = cloud.secrets.webhookSecret();
  if (!userPool || !webhookSecret) {
    await cloud.stop();
    throw new Error('The local stage has no API user pool or no bank-webhook secret: the soak needs both');
  }
  return {
    url: cloud.url,
    endpoints: cloud.endpoints,
    userPool,
    webhookSecret,
    faultCounts: () => plan.counts(),
    async stop() {
      await cloud.stop();
      await new Promise((resolve) => log.stream.end(resolve));
    },
  };
}

/**
 * A local cloud already running: its `/_local/identity` names the user pool its API trusts. The
 * webhook secret is not served by any endpoint, so it comes from its banner, as an option.
 */
export async function urlTarget(
  url: string,
  endpoints: StoreEndpoints,
  webhookSecret: string,
): Promise<SoakTarget> {
  const response = await fetch(`${url}/_local/identity`).catch((error: Error) => {
    throw new Error(`No local cloud answers at ${url} (${error.message}): start it with npm start`);
  });
  if (!response.ok) {
    throw new Error(
      `GET ${url}/_local/identity answered ${response.status}: is it a local cloud (npm start)?`,
    );
  }
  const userPool = (await response.json()) as UserPoolTarget;
  return {
    url,
    endpoints,
    userPool,
    webhookSecret,
    faultCounts: () => undefined,
    stop: async () => undefined,
  };
}

export interface ChildProcessTargetOptions {
  assemblyDir: string;
  faults: FaultRates;
  seed: number;
  persistDir: string;
  logPath: string;
}

/**
 * `npm start` as a child process on a --persist folder, with the same faults. Its banner gives the
 * URL and the endpoints; its JSON log lines are copied to the log file, and the faults they report
 * counted (across restarts).
 */
export async function childProcessTarget(options: ChildProcessTargetOptions): Promise<SoakTarget> {
  const log = createWriteStream(options.logPath);
  const counts: Record<string, number> = {};
  let child: ChildProcess | undefined;
  let banner: ChildBanner = {
    url: '',
    endpoints: { dynamodb: '', sqs: '', kinesis: '' },
    userPool: { region: '', userPoolId: '', clientId: '' },
    webhookSecret: '',
  };

  async function start(): Promise<void> {
    const started = spawn(process.execPath, startArguments(options), {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', LOCAL_FAULTS: '' },
    });
    child = started;
    const stderr: string[] = [];
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString());
      log.write(chunk);
    });
    banner = await readBanner(started, { log, counts, stderr });
  }

  async function kill(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  }

  await start();
  return {
    get url() {
      return banner.url;
    },
    get endpoints() {
      return banner.endpoints;
    },
    get userPool() {
      return banner.userPool;
    },
    get webhookSecret() {
      return banner.webhookSecret;
    },
    faultCounts: () => counts,
    async restart() {
      await kill('SIGKILL');
      counts.restart = (counts.restart ?? 0) + 1;
      log.write(
        `${JSON.stringify({ source: 'soak', level: 'WARN', message: 'Injected fault restart: SIGKILL', fields: { fault: 'restart' }, time: new Date().toISOString() })}\n`,
      );
      await start();
    },
    async stop() {
      const running = child;
      const timer = setTimeout(() => running?.kill('SIGKILL'), 10_000);
      await kill('SIGTERM');
      clearTimeout(timer);
      await new Promise((resolve) => log.end(resolve));
    },
  };
}

/** `npm start`'s own script, with the soak's speed-ups, seed and faults, logging JSON lines. */
function startArguments(options: ChildProcessTargetOptions): string[] {
  return [
    join(repositoryRoot, 'tools/e2e/src/start.ts'),
    '--assembly',
    options.assemblyDir,
    '--port',
    '0',
    '--persist',
    options.persistDir,
    '--fast-retries',
    '--max-visibility-timeout',
    String(SOAK_MAX_VISIBILITY_TIMEOUT_SECONDS),
    '--json',
    '--seed',
    String(options.seed),
    ...(Object.keys(options.faults).length > 0 ? ['--faults', formatFaults(options.faults)] : []),
  ];
}

/** Where a started child listens, as its banner says. */
interface ChildBanner {
  url: string;
  endpoints: StoreEndpoints;
  userPool: UserPoolTarget;
  webhookSecret: string;
}

/**
 * Follows the child's stdout for as long as it runs: every line copied to the log (the webhook
 * secret redacted), the faults its JSON lines report counted. Resolves with the banner once it
 * ends ("Press Ctrl+C to stop"); rejects when the child exits first or the banner misses a part.
 */
function readBanner(
  child: ChildProcess,
  output: { log: WriteStream; counts: Record<string, number>; stderr: string[] },
): Promise<ChildBanner> {
  return new Promise((resolve, reject) => {
    const found: BannerLines = {};
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const onExit = (code: number | null) =>
      reject(
        new Error(
          `The local cloud exited (${code}) before it was ready:\n${output.stderr.join('').slice(-2_000)}`,
        ),
      );
    child.once('exit', onExit);
    lines.on('line', (line) => {
      const secret = line.match(/Webhook secret (\S+)/)?.[1];
      found.webhookSecret ??= secret;
      output.log.write(`${secret ? line.replace(secret, '[redacted]') : line}\n`);
      if (line.startsWith('{')) {
        const fault = (JSON.parse(line) as LogEntry).fields?.fault;
        if (typeof fault === 'string') output.counts[fault] = (output.counts[fault] ?? 0) + 1;
        return;
      }
      readBannerLine(line, found);
      if (!line.includes('Press Ctrl+C to stop')) return;
      const banner = bannerOf(found);
      if (banner instanceof Error) {
        reject(banner);
        return;
      }
      child.off('exit', onExit);
      resolve(banner);
    });
  });
}

/** What the banner's lines named so far, each the first time it did. */
interface BannerLines extends Partial<StoreEndpoints> {
  url?: string;
  cognito?: string;
  userPoolId?: string;
  clientId?: string;
  webhookSecret?: string;
}

function readBannerLine(line: string, found: BannerLines): void {
  found.url ??= line.match(/HTTP API\s+(http:\S+)/)?.[1];
  found.dynamodb ??= line.match(/DynamoDB (http:\S+)/)?.[1];
  found.sqs ??= line.match(/SQS (http:\S+)/)?.[1];
  found.kinesis ??= line.match(/Kinesis (http:\S+)/)?.[1];
  found.cognito ??= line.match(/Cognito (http:\S+)/)?.[1];
  const pool = line.match(/User pool\s+(\S+), app client (\S+)/);
  found.userPoolId ??= pool?.[1];
  found.clientId ??= pool?.[2];
}

/** The whole banner, or the error that says what it misses. */
function bannerOf(found: BannerLines): ChildBanner | Error {
  const { dynamodb, sqs, kinesis, cognito, userPoolId, clientId } = found;
  if (!found.url || !dynamodb || !sqs || !kinesis || !cognito || !userPoolId || !clientId) {
    const { webhookSecret: _secret, ...read } = found;
    return new Error(`Could not read the URL and endpoints from the banner: ${JSON.stringify(read)}`);
  }
  if (!found.webhookSecret) {
    return new Error('The banner names no webhook secret: the local stage has no bank webhook');
  }
  return {
    url: found.url,
    endpoints: { dynamodb, sqs, kinesis },
    // A pool id starts with its region, as on AWS.
    userPool: { region: userPoolId.split('_')[0] ?? '', userPoolId, clientId, endpoint: cognito },
    webhookSecret: found.webhookSecret,
  };
}
