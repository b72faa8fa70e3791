#!/usr/bin/env node
// Deletes a personal stage, its data and customer accounts included (personal stages keep nothing on
// deletion).
//   npm run destroy                         # dev-<os user>; the CDK CLI asks for confirmation
//   npm run destroy -- -c stage=dev-alice --force
// Refuses test and prod: their stacks and data are protected, and only the pipeline changes them.
import { isPersonalStageName } from '../src/stages.ts';
import { runCdk } from './cdk.ts';
import { PreflightError, preflight } from './preflight.ts';
import { takeStage } from './stage-option.ts';

const { stage, rest } = takeStage(process.argv.slice(2));
if (!isPersonalStageName(stage)) {
  console.error(`npm run destroy removes personal stages (dev-<name>) only; "${stage}" is not one.`);
  process.exit(1);
}
try {
  const { region } = preflight({ bootstrap: false });
  process.exit(
    runCdk(['destroy', `${stage}/*`, '--context', `stage=${stage}`, ...rest], { AWS_REGION: region }),
  );
} catch (error) {
  if (!(error instanceof PreflightError)) throw error;
  console.error(error.message);
  process.exit(1);
}
