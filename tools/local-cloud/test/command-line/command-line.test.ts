import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSettings, parseCliArguments, UsageError, usage } from '../../src/command-line/cli-options.ts';
import { ENGINE_FAULTS } from '../../src/faults/engine-faults.ts';
import type { PluginFault } from '../../src/faults/fault-plan.ts';

/** The arguments of `local-cloud`, read into startLocalCloud's options before anything starts. */
const slowService: PluginFault = {
  name: 'slow-service',
  description: 'a service answers late',
  defaultRate: 0.3,
  environment: () => ({}),
};
const known = [...ENGINE_FAULTS, slowService];
const settings = (args: string[]) => cliSettings(parseCliArguments(args), known);

describe('the arguments of local-cloud', () => {
  it("become startLocalCloud's options: port, persistence, speed-ups and a fault plan with a plugin's fault", () => {
    const read = settings([
      '--assembly',
      'cdk.out',
      '--port',
      '0',
      '--persist',
      '.state',
      '--fast-retries',
      '--max-visibility-timeout',
      '2',
      '--faults',
      'sqs-duplicate,slow-service=0.5',
      '--seed',
      '7',
      '--json',
    ]);
    expect(read).toMatchObject({
      assemblyDir: resolve('cdk.out'),
      json: true,
      verbose: false,
      cloud: {
        port: 0,
        persistDir: resolve('.state'),
        retryIntervalScale: 0.01,
        maxVisibilityTimeoutSeconds: 2,
      },
    });
    expect(read.cloud.faults?.rates).toEqual({ 'sqs-duplicate': 0.1, 'slow-service': 0.5 });
    expect(read.cloud.faults?.seed).toBe(7);
    expect(settings(['--retry-interval-scale', '0.5']).cloud.retryIntervalScale).toBe(0.5);
  });

  it('refuse an unknown option, a port that is none and a fault no part injects, as usage errors', () => {
    expect(() => settings(['--prot', '3000'])).toThrow(UsageError);
    expect(() => settings(['--port', '70000'])).toThrow(/--port must be a port number/);
    expect(() => settings(['--faults', 'restart'])).toThrow(/Unknown fault "restart": use sqs-duplicate, /);
    expect(() => settings(['--retry-interval-scale', '0'])).toThrow(/positive number/);
  });

  it("are listed by --help with every fault the engine and the plugins inject, and each one's default", () => {
    const help = usage('local-cloud', known);
    expect(help).toMatch(/^local-cloud --assembly DIR \[options\]/);
    for (const fault of known) expect(help).toContain(`${fault.name}`);
    expect(help).toMatch(/slow-service +a service answers late \(default 0\.3\)/);
  });

  it('take --watch or --no-watch, for a command that can watch, and refuse both at once', () => {
    expect(settings(['--watch']).watch).toBe(true);
    expect(settings(['--no-watch']).watch).toBe(false);
    expect(settings([]).watch).toBeUndefined();
    expect(() => settings(['--watch', '--no-watch'])).toThrow(/contradict/);

    expect(usage('local-cloud', known)).not.toContain('--watch');
    expect(usage('npm start --', known, { watchHelp: 'rebuild what changed' })).toMatch(
      /--watch, --no-watch +rebuild what changed/,
    );
  });
});
