#!/usr/bin/env node
// Deploys a personal stage, every stack of it: the stateful stacks (data, identity) first, then the
// services (the stage declares the order).
//   npm run deploy                         # dev-<os user>
//   npm run deploy -- -c stage=dev-alice   # another personal stage; other arguments go to `cdk deploy`
// test and prod are deployed by the pipeline, never from a laptop.
import { isPersonalStageName } from '../src/stages.ts';
import { runCdk } from './cdk.ts';
import { PreflightError, preflight } from './preflight.ts';
import { takeStage } from './stage-option.ts';

const { stage, rest } = takeStage(process.argv.slice(2));
if (!isPersonalStageName(stage)) {
  console.error(
    `npm run deploy deploys personal stages (dev-<name>), not "${stage}": test and prod are deployed ` +
      'by the pipeline (see infra/README.md).',
  );
  process.exit(1);
}
try {
  const { account, region } = preflight();
  console.error(`Deploying ${stage} to account ${account}, region ${region}.`);
  // The region is passed on so that the CLI deploys where the preflight looked.
  process.exit(
    runCdk(['deploy', `${stage}/*`, '--context', `stage=${stage}`, ...rest], { AWS_REGION: region }),
  );
} catch (error) {
  if (!(error instanceof PreflightError)) throw error;
  console.error(error.message);
  process.exit(1);
}
