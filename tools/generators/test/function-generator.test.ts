import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyRepository, type RepositoryCopy } from '@shop/testing/repository-copy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The generator's acceptance test: generate a function in a copy of this repository, then run the
 * checks of the projects it touched and call the new route on the copy's local cloud. The copy runs
 * the projects whose files the generator writes or whose checks list every function: the service,
 * the contracts, infra (synth with cdk-nag, security, counts), the bench scenarios and the workspace
 * checks (boundaries, contract names), and the docs checks of the regenerated documents.
 */
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const generate = ['nx', 'g', '@shop/generators:function', '--service', 'orders', '--name', 'ship-order'];

let copy: RepositoryCopy;

beforeAll(() => {
  copy = copyRepository(repositoryRoot, 'generator-copy');
  copy.linkWorkspaces();
}, 60_000);

afterAll(() => copy?.remove());

describe('the function generator, in a copy of the repository', () => {
  it('writes an HTTP function that passes the checks of every project it touches', () => {
    const output = copy.run('npx', [...generate, '--trigger', 'http', '--no-interactive']);
    expect(output).toContain('POST /orders/{orderId}/ship is served by orders:ship-order');

    copy.run('npx', [
      'nx',
      'run-many',
      '-t',
      'lint',
      'typecheck',
      'test',
      '--projects=@shop/orders,@shop/contracts,@shop/infra,@shop/bench,@shop/workspace',
      '--skip-nx-cache',
      '--outputStyle=static',
    ]);
    const report = (project: string) =>
      JSON.parse(readFileSync(join(copy.root, project, 'reports', 'vitest.json'), 'utf8')) as {
        numFailedTests: number;
        testResults: { name: string }[];
      };
    const orders = report('apps/orders');
    expect(orders.numFailedTests).toBe(0);
    expect(orders.testResults.map(({ name }) => name.replace(`${copy.root}/`, ''))).toEqual(
      expect.arrayContaining([
        'apps/orders/test/ship-order.test.ts',
        'apps/orders/test/ship-order-handler.test.ts',
      ]),
    );
    copy.run('npx', [
      'vitest',
      'run',
      '--root',
      'tools/docs-checks',
      'test/api-documents.test.ts',
      'test/templates.test.ts',
    ]);
  }, 900_000);

  it('serves the new route on the local cloud, behind the customers’ authorizer', async () => {
    const cloud = spawn(process.execPath, ['tools/e2e/src/start.ts', '--port', '0'], {
      cwd: copy.root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await bannerUrl(cloud.stdout);
      const ship = (headers: Record<string, string> = {}) =>
        fetch(`${url}/orders/ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T/ship`, { method: 'POST', headers });

      const refused = await ship();
      expect(refused.status).toBe(401);

      const token = copy.run(process.execPath, ['tools/e2e/src/token-cli.ts', 'alice', '--url', url]).trim();
      const answered = await ship({ authorization: `Bearer ${token}` });
      expect(answered.status).toBe(202);
      expect(await answered.json()).toEqual({ orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T' });
    } finally {
      cloud.kill('SIGINT');
      await once(cloud, 'exit');
    }
  }, 180_000);

  it('refuses a second run with the same name and changes nothing', () => {
    const before = copy.run('git', ['status', '--porcelain']);

    const { status, output } = copy.attempt('npx', [...generate, '--no-interactive']);

    expect(status).not.toBe(0);
    expect(output).toContain(
      'apps/orders/src/handlers/ship-order.ts exists: orders already has a function ship-order.',
    );
    expect(copy.run('git', ['status', '--porcelain'])).toBe(before);
  }, 60_000);
});

/** The local cloud's URL, from its banner, once it is ready; its output is read to the end, so it never blocks. */
function bannerUrl(stdout: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let printed = '';
    stdout.on('data', (chunk) => {
      printed += String(chunk);
      const url = /running locally[\s\S]*?(http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1];
      if (url) resolve(url);
    });
    stdout.on('end', () => reject(new Error(`The local cloud stopped before its banner:\n${printed}`)));
  });
}
