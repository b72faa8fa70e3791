#!/usr/bin/env node
// `npm run e2e`: the end-to-end scenarios against the local cloud (started and stopped here), a
// deployed stage (--stage) or an API at a URL (--url); --report and --compare for parity.
// `npm run e2e -- --help` lists the options (src/e2e/run-e2e.ts).
import { runE2e } from './e2e/run-e2e.ts';

process.exitCode = await runE2e(process.argv.slice(2));
