import { describe, expect, it } from 'vitest';
import { cliSettings, parseCliArguments, usage } from '../../src/command-line/cli-options.ts';
import { ENGINE_FAULTS } from '../../src/faults/engine-faults.ts';

const settings = (args: string[]) => cliSettings(parseCliArguments(args), ENGINE_FAULTS);

describe('the --no-iam argument of local-cloud', () => {
  it('turns IAM off, which is on when it is not given', () => {
    expect(settings(['--assembly', 'cdk.out', '--no-iam']).cloud).toMatchObject({ iam: false });
    expect(settings(['--assembly', 'cdk.out']).cloud).not.toHaveProperty('iam');
  });

  it('is described in the usage', () => {
    expect(usage('local-cloud', ENGINE_FAULTS)).toMatch(
      /--no-iam {14}do not check the functions' and workflows' calls/,
    );
  });
});
