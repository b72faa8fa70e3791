import { fork } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './bundles.ts';
import { percentile, round } from './stats.ts';

export interface LimitLevelResult {
  concurrency: number;
  orders: number;
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const harness = join(repoRoot, 'tools/bench/src/limit/harness.ts');
const inMemoryAdapters = join(repoRoot, 'tools/bench/src/limit/in-memory-adapters.ts');
const bundle = join(repoRoot, 'tools/bench/dist/limit/harness.mjs');
const TIMEOUT_MS = 300_000;

/**
 * The same orders through the handlers and domain code called in one process, with in-memory
 * adapters: what the code itself costs, the ceiling the local cloud is measured against. Bundled
 * with the production settings, every `#adapters/*` import resolved to the in-memory module.
 */
export async function benchLimit(options: {
  levels: readonly { concurrency: number; orders: number }[];
  progress: (text: string) => void;
}): Promise<LimitLevelResult[]> {
  await build({
    entryPoints: [harness],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';const require=__createRequire(import.meta.url);",
    },
    logLevel: 'warning',
    plugins: [
      {
        name: 'in-memory-adapters',
        setup(builder) {
          builder.onResolve({ filter: /^#adapters\// }, () => ({ path: inMemoryAdapters }));
        },
      },
    ],
  });
  const child = fork(bundle, [JSON.stringify(options.levels)], {
    execArgv: [],
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_SERVICE_NAME: 'limit',
      // As on the local cloud: metrics off (no CloudWatch), log lines written to stdout.
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    // Log lines go nowhere, as in the other runs; warnings are kept to explain a failure.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const timer = setTimeout(() => child.kill(), TIMEOUT_MS);
  try {
    const { results } = await new Promise<{
      results: { concurrency: number; orders: number; seconds: number; latencies: number[] }[];
    }>((resolve, reject) => {
      child.on('message', (message) => resolve(message as never));
      child.on('exit', (code) =>
        reject(new Error(`The limit harness exited (${code}) without results:\n${stderr}`)),
      );
    });
    return results.map(({ concurrency, orders, seconds, latencies }) => {
      const result = {
        concurrency,
        orders,
        ordersPerSecond: round(orders / seconds),
        p50Ms: round(percentile(latencies, 0.5), 2),
        p99Ms: round(percentile(latencies, 0.99), 2),
      };
      options.progress(
        `  concurrency ${concurrency}: ${orders} orders, ${result.ordersPerSecond} orders/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
      );
      return result;
    });
  } finally {
    clearTimeout(timer);
  }
}
