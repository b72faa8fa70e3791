import { type GeneratorCallback, logger, type Tree } from '@nx/devkit';
import { readContracts } from '../contracts-on-disk.ts';
import { API_DOCUMENTS, BUNDLES, formatting, runSteps } from '../derived-files.ts';
import { addNamedImport, insertAt } from '../source-edits.ts';
import { askInTerminal } from '../terminal-questions.ts';
import {
  type Contracts,
  type EventGeneratorOptions,
  exampleOf,
  FIELD_KINDS,
  type MessagePlan,
  planMessage,
} from './plan.ts';

const EVENTS_FILE = 'libs/contracts/src/events.ts';
const COMMANDS_FILE = 'libs/contracts/src/commands.ts';

/**
 * `npx nx g @shop/generators:event`: an event (or, with `--kind command`, a command) in the
 * contracts, at version 1, with its data's schema and an example of it. What is derived from the
 * contracts (docs/api) is regenerated once the file is on disk.
 */
export default async function eventGenerator(
  tree: Tree,
  options: EventGeneratorOptions,
): Promise<GeneratorCallback> {
  const contracts = await contractsFor(tree.root);
  const plan = planMessage(await askForMissing(options, contracts), contracts);
  const file = plan.kind === 'event' ? EVENTS_FILE : COMMANDS_FILE;

  for (const { kind } of plan.fields) {
    const { helper } = FIELD_KINDS[kind];
    if (helper) addNamedImport(tree, file, helper, './fields.ts');
  }
  insertAt(
    tree,
    file,
    {
      before:
        plan.kind === 'event'
          ? /\} as const;\n\nexport type EventType/
          : /\} as const;\n\nexport type CommandType/,
    },
    definitionOf(plan),
  );

  return () => regenerateDerivedFiles(tree.root, plan, file);
}

/** The definition in `EVENTS` or `COMMANDS`, as the others are written (Biome lays it out). */
function definitionOf(plan: MessagePlan): string {
  const route =
    plan.kind === 'event'
      ? `publisher: '${plan.publisher}',`
      : `sender: '${plan.sender}', receiver: '${plan.receiver}', queue: '${plan.queue}',`;
  const schema = plan.fields
    .map(({ name, kind }) =>
      name === FIELD_KINDS[kind].schema ? name : `${name}: ${FIELD_KINDS[kind].schema}`,
    )
    .join(', ');
  const example = Object.entries(exampleOf(plan.fields))
    .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
    .join(', ');
  return `  ${plan.type}: ${plan.kind}('${plan.type}', {
    ${route}
    version: 1,
    description: ${JSON.stringify(plan.description)},
    data: z.object({ ${schema} }),
    example: { ${example} },
  }),
`;
}

/** What the event plan checks a new message against. */
async function contractsFor(root: string): Promise<Contracts> {
  const { services, events, commands } = await readContracts(root);
  return {
    services,
    events: [...events.keys()],
    commandQueues: new Map([...commands].map(([type, { queue }]) => [type, queue])),
  };
}

/** The services the kind needs, asked in a terminal: nx's own prompts cannot depend on --kind. */
async function askForMissing(options: EventGeneratorOptions, contracts: Contracts) {
  const wanted =
    (options.kind ?? 'event') === 'event'
      ? ([['publisher', 'Which service publishes it']] as const)
      : ([
          ['sender', 'Which service sends it'],
          ['receiver', 'Which service receives it'],
        ] as const);
  const answers = await askInTerminal(
    wanted
      .filter(([option]) => !options[option])
      .map(([option, question]) => ({ option, question: `${question} (${contracts.services.join(', ')})?` })),
  );
  return { ...options, ...answers };
}

/**
 * Formats the contracts, then for an event builds the bundles synth needs and regenerates docs/api.
 * A command's queue is not in the templates yet, so docs/api waits for its consumer.
 */
function regenerateDerivedFiles(root: string, plan: MessagePlan, file: string): void {
  // A command's queue is not in the templates until its consumer is generated: docs/api waits for it.
  runSteps(root, plan.kind === 'event' ? [formatting([file]), BUNDLES, API_DOCUMENTS] : [formatting([file])]);
  if (plan.kind === 'event') {
    logger.info(
      `\n${plan.type} v1 is an event of ${plan.publisher} (${file}), in docs/api. Next: publish it from a function ` +
        `(.bindEventBus, createEvent(EVENTS.${plan.type}, …)), subscribe consumers with this.subscribe, then npm test.`,
    );
  } else {
    logger.info(
      `\n${plan.type} v1 is a command from ${plan.sender} to ${plan.receiver} on the queue ${plan.queue} (${file}). ` +
        `Next: its consumer, which creates the queue and regenerates docs/api: ` +
        `npx nx g @shop/generators:function --service ${plan.receiver} --name <kebab-case-name> --trigger sqs --command ${plan.type}`,
    );
  }
}
