#!/usr/bin/env node
// `local-cloud --assembly DIR [options]`: runs a synthesized CDK app's cloud assembly locally.
// `local-cloud --help` lists the options; README.md says what is emulated.
import { runLocalCloudCli } from './command-line/run-cli.ts';

await runLocalCloudCli(process.argv.slice(2));
