import type { FunctionResult } from './functions-bench.ts';

interface Printable {
  emptyModuleColdInitMs: { median: number; p90: number } | null;
  functions: FunctionResult[];
  endToEnd: {
    concurrency: number;
    orders: number;
    ordersPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    cpuMsPerOrder: { cloud: number; functions: number };
    requestsPerOrder: Record<string, number>;
    limit: { ordersPerSecond: number; p50Ms: number } | null;
    ratioToLimit: number | null;
  }[];
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)}`;
const ms = (value: number) => value.toFixed(1);
const ratio = (value: number) => `${value.toFixed(2)}×`;

/** The one table of `npm run bench`: a row per function, then the end-to-end figures. */
export function formatTable({ emptyModuleColdInitMs, functions, endToEnd }: Printable): string {
  const header = [
    'function',
    'KiB',
    'naive',
    'floor',
    '÷floor',
    'cold ms',
    'p90',
    'naive',
    'floor',
    '÷floor',
    '÷naive',
    'warm p50',
    'p99',
    'top contributors (KiB)',
  ];
  const rows = functions.map((fn) => [
    fn.name,
    kib(fn.bytes.ours),
    kib(fn.bytes.naive),
    kib(fn.bytes.floor),
    ratio(fn.bytes.ours / fn.bytes.floor),
    ms(fn.coldInitMs.ours.median),
    ms(fn.coldInitMs.ours.p90),
    ms(fn.coldInitMs.naive.median),
    ms(fn.coldInitMs.floor.median),
    ratio(fn.coldInitMs.ours.median / fn.coldInitMs.floor.median),
    ratio(fn.coldInitMs.ours.median / fn.coldInitMs.naive.median),
    ms(fn.warmMs.p50),
    ms(fn.warmMs.p99),
    fn.topContributors.map((contributor) => `${contributor.name} ${kib(contributor.bytes)}`).join(', '),
  ]);
  const lines = [aligned([header, ...rows])];
  if (emptyModuleColdInitMs) {
    lines.push(
      `(an empty module: cold init ${ms(emptyModuleColdInitMs.median)} ms median, ${ms(emptyModuleColdInitMs.p90)} ms p90)`,
    );
  }
  if (endToEnd.length > 0) {
    lines.push(
      '',
      aligned([
        [
          'end to end',
          'orders',
          'orders/s',
          'p50 ms',
          'p99 ms',
          'CPU ms/order',
          'cloud',
          'functions',
          'limit orders/s',
          'limit p50 ms',
          'local ÷ limit',
        ],
        ...endToEnd.map((level) => [
          `concurrency ${level.concurrency}`,
          String(level.orders),
          level.ordersPerSecond.toFixed(1),
          level.p50Ms.toFixed(0),
          level.p99Ms.toFixed(0),
          ms(level.cpuMsPerOrder.cloud + level.cpuMsPerOrder.functions),
          ms(level.cpuMsPerOrder.cloud),
          ms(level.cpuMsPerOrder.functions),
          level.limit ? level.limit.ordersPerSecond.toFixed(1) : '-',
          level.limit ? level.limit.p50Ms.toFixed(1) : '-',
          level.ratioToLimit === null ? '-' : level.ratioToLimit.toFixed(3),
        ]),
      ]),
    );
    const last = endToEnd.at(-1);
    if (last) {
      const services = Object.entries(last.requestsPerOrder)
        .sort(([, a], [, b]) => b - a)
        .map(([service, count]) => `${service} ${count.toFixed(1)}`);
      lines.push(`(requests per order at concurrency ${last.concurrency}: ${services.join(', ')})`);
    }
  }
  return lines.join('\n');
}

function aligned(table: string[][]): string {
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
  return table
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 || column === row.length - 1
            ? cell.padEnd(widths[column] ?? 0)
            : cell.padStart(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
