#!/usr/bin/env node
// `npm start`: builds the handlers and the flow page's panels (nx, cached), synthesizes the CDK app
// for the `local` stage (unless its inputs are unchanged), and runs it on the local cloud with this
// application's plugin; at a terminal it then watches the sources and reloads what changed
// (src/watch). Takes the options of the engine's command (`npm start -- --help`), --assembly included.
import { join } from 'node:path';
import { cloudSummary, type LocalCloud, runLocalCloudCli } from '@shop/local-cloud';
import { shopPlugin, TEST_TOKENS } from './local-app/shop-plugin.ts';
import { prepareLocalAssembly, repositoryRoot } from './prepare-assembly.ts';
import { watchSources } from './watch/watch-sources.ts';

const assemblyRoot = join(repositoryRoot, 'tools/e2e/.cdk.out');
const print = (text: string) => console.log(text);
let assemblyDir = '';

await runLocalCloudCli(process.argv.slice(2), {
  command: 'npm start --',
  plugins: [shopPlugin],
  assembly: async ({ step }) => {
    assemblyDir = await prepareLocalAssembly({ step, done: print, outputRoot: assemblyRoot });
    return assemblyDir;
  },
  assemblyHelp: 'run this synthesized assembly, skipping the build and synth steps',
  watch: {
    help: `rebuild the bundles a saved file under apps/*/src or libs/*/src changes and
                        reload their functions, state kept; synthesize again on a change to infra/
                        and restart only if the wiring changed (default: on at a terminal)`,
    start: (session) =>
      watchSources(session, {
        repositoryRoot,
        assemblyDir,
        prepare: () => prepareLocalAssembly({ step: session.step, done: print, outputRoot: assemblyRoot }),
        outputRoot: join(assemblyRoot, 'reloaded'),
        print,
        color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
      }),
  },
  banner: (cloud, { readyIn, faults }) => {
    const webhookSecret = cloud.secrets.webhookSecret();
    const summary = cloudSummary(cloud, {
      pageHint: 'open it in a browser: watch orders move through the system',
      rows: webhookSecret
        ? [
            [
              'Webhook secret',
              `${webhookSecret}   (the bank signs POST /webhooks/bank-transfers with it: Standard Webhooks)`,
            ],
          ]
        : [],
      ...(faults ? { faults } : {}),
    });
    return `
Serverless Commerce is running locally (ready in ${readyIn}).

${summary}

${howToUse(cloud)}
Press Ctrl+C to stop.
`;
  },
});

/** The first requests to try, with the curl commands that make them. */
function howToUse(cloud: LocalCloud): string {
  const example = JSON.stringify({
    currency: 'EUR',
    items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
    payment: { method: 'card', token: 'tok_visa' },
  });
  const urlOption = cloud.url === 'http://127.0.0.1:3000' ? '' : ` --url ${cloud.url}`;
  const bearer = `-H "authorization: Bearer $TOKEN"`;
  return `Sign in a test customer (created on first use) and keep its access token:
  TOKEN=$(npm run --silent token -- alice${urlOption})

Place an order:
  curl -s -X POST ${cloud.url}/orders -H 'content-type: application/json' ${bearer} -d '${example}'

Then follow it (use the orderId from the answer):
  curl -s ${bearer} ${cloud.url}/orders/<orderId>

Test tokens: ${TEST_TOKENS.join(', ')}; or "payment":{"method":"bank_transfer"},
which the bank confirms with a signed webhook: the flow page's Confirm transfer button, or
  curl -s -X POST ${cloud.url}/_local/bank/transfers -d '{"orderId":"<orderId>"}'`;
}
