import { join } from 'node:path';
import { type GeneratorCallback, generateFiles, logger, type Tree } from '@nx/devkit';
import { readContracts } from '../contracts-on-disk.ts';
import {
  API_DOCUMENTS,
  BUNDLES,
  formatting,
  RESOURCE_TABLE,
  RUNBOOK_TABLES,
  runSteps,
} from '../derived-files.ts';
import { insertAt } from '../source-edits.ts';
import { askInTerminal } from '../terminal-questions.ts';
import { type FunctionGeneratorOptions, type FunctionPlan, planFunction, type Workspace } from './plan.ts';
import { wireHttp } from './wiring/http.ts';
import { wireQueueConsumer } from './wiring/queue-consumer.ts';
import { wireSchedule } from './wiring/schedule.ts';

/**
 * `npx nx g @shop/generators:function`: a function in an existing service, written the way the
 * service's own are, with every file that lists functions or routes extended in the same run. What
 * is derived from those files (the API documents, the runbook and resource tables) is regenerated
 * once the files are on disk.
 */
export default async function functionGenerator(
  tree: Tree,
  options: FunctionGeneratorOptions,
): Promise<GeneratorCallback> {
  const workspace = await readWorkspace(tree);
  const plan = planFunction(await askForMissing(options, workspace), workspace);
  const handler = `apps/${plan.service}/src/handlers/${plan.name}.ts`;
  if (tree.exists(handler)) {
    throw new Error(
      `${handler} exists: ${plan.service} already has a function ${plan.name}. Pick another --name, or change that one by hand.`,
    );
  }

  generateFiles(tree, join(import.meta.dirname, 'files', plan.trigger), '.', { ...plan });
  if (plan.trigger === 'http') wireHttp(tree, plan);
  else if (plan.trigger === 'schedule') wireSchedule(tree, plan);
  else wireQueueConsumer(tree, plan);
  addReadmeLines(tree, plan);

  const written = tree.listChanges().map((change) => change.path);
  return () => regenerateDerivedFiles(tree.root, plan, written, options.regenerate ?? true);
}

/** The services (the packages of apps/) and the messages of the contracts, as they are on disk. */
async function readWorkspace(tree: Tree): Promise<Workspace> {
  const { events, commands } = await readContracts(tree.root);
  return {
    services: tree.children('apps').filter((child) => tree.exists(`apps/${child}/package.json`)),
    events,
    commands,
  };
}

/** What the trigger needs, asked in a terminal: nx's own prompts cannot depend on --trigger. */
async function askForMissing(options: FunctionGeneratorOptions, workspace: Workspace) {
  const wanted = {
    http: [],
    event: [
      {
        option: 'event',
        question: `Which event does it consume (${[...workspace.events.keys()].join(', ')})?`,
      },
    ],
    sqs: [
      {
        option: 'command',
        question: `Which command does it receive (${[...workspace.commands.keys()].join(', ')})?`,
      },
    ],
    schedule: [{ option: 'schedule', question: 'When does it run: rate(1 hour), cron(0 3 * * ? *)?' }],
  }[options.trigger ?? 'http'];
  const answers = await askInTerminal(
    (wanted ?? []).filter(({ option }) => !options[option as keyof FunctionGeneratorOptions]),
  );
  return { ...options, ...answers };
}

/** What triggers it, in the words of the service README's tables. */
function triggeredBy(plan: FunctionPlan): string {
  switch (plan.trigger) {
    case 'http':
      return `\`${plan.route.key}\``;
    case 'event':
      return `the ${plan.queue} queue: \`${plan.message}\` from the bus`;
    case 'sqs':
      return `the ${plan.queue} queue: \`${plan.message}\``;
    case 'schedule':
      return `its schedule, \`${plan.schedule}\``;
  }
}

function addReadmeLines(tree: Tree, plan: FunctionPlan): void {
  const readme = `apps/${plan.service}/README.md`;
  insertAt(
    tree,
    readme,
    { after: /\| Handler \| Use case \| Triggered by \|\n(?:\|.*\n)+/ },
    `| \`${plan.name}\` | \`${plan.useCase}\` | ${triggeredBy(plan)} |\n`,
  );
  if (plan.trigger === 'event' || plan.trigger === 'sqs') {
    insertAt(
      tree,
      readme,
      { after: /\| Direction \| Message \| Carried by \|\n(?:\|.*\n)+/ },
      `| in | \`${plan.message}\` | ${triggeredBy(plan)} → \`${plan.name}\`, 10 a batch (DLQ after 5 receives) |\n`,
    );
  }
  if (plan.trigger === 'http') {
    const row = `| \`${plan.route.key}\` | \`${plan.status}\` \`{ ${plan.pathParameters.join(', ')} }\`: ${plan.description} \`401\`; \`500\` |\n`;
    // The API's README lists every route above the $default one; a service's own README lists its own.
    const readmeOfRoutes = tree.read(readme, 'utf-8')?.includes('| anything else (`$default`)')
      ? { before: /\| anything else \(`\$default`\)/ }
      : { after: /\| Route \| Answers \|\n(?:\|.*\n)+/ };
    insertAt(tree, readme, readmeOfRoutes, row);
  }
}

/** Formats what was written, builds the bundles synth needs, and regenerates the derived documents. */
function regenerateDerivedFiles(
  root: string,
  plan: FunctionPlan,
  written: readonly string[],
  regenerate: boolean,
): void {
  runSteps(
    root,
    regenerate
      ? [formatting(written), BUNDLES, API_DOCUMENTS, RESOURCE_TABLE, RUNBOOK_TABLES]
      : [formatting(written)],
  );
  logger.info(`\n${triggeredBy(plan)} now invokes ${plan.service}:${plan.name}.`);
  logger.info(
    regenerate
      ? 'Next: npm test, then npm start.'
      : 'docs/api, the resource table and the runbook wait for the next run without --regenerate=false.',
  );
}
