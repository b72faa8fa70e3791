#!/usr/bin/env node
// Prints the SSM parameters through which a stage's stacks find each other, offline, from
// infra/src/parameters.ts: the names an operator reads or overwrites (docs/runbook.md).
//   node tools/docs-checks/src/parameters.ts prod
import { readFileSync } from 'node:fs';
import { PARAMETERS, parameterName } from '@shop/infra/parameters';
import { readAppContext, stageConfig } from '@shop/infra/stages';

const stageName = process.argv[2];
if (!stageName) {
  console.error(
    'Usage: node tools/docs-checks/src/parameters.ts <stage>   (test, prod, local or dev-<name>)',
  );
  process.exit(2);
}
const cdkJson = JSON.parse(readFileSync(new URL('../../../infra/cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
let stage: ReturnType<typeof stageConfig>;
try {
  stage = stageConfig(
    stageName,
    readAppContext((key) => cdkJson.context[key]),
    {},
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
for (const parameter of Object.values(PARAMETERS)) {
  console.log(`${parameterName(stage, parameter).padEnd(72)} published by the ${parameter.owner} stack`);
}
