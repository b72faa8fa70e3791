import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { type GeneratorCallback, logger, type Tree } from '@nx/devkit';
import { addNamedImport, insertAt } from '../source-edits.ts';
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
  const contracts = await readContracts(tree);
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

/** The services and the messages of the contracts, as they are on disk. */
async function readContracts(tree: Tree): Promise<Contracts> {
  const contract = (file: string) => import(pathToFileURL(join(tree.root, 'libs/contracts/src', file)).href);
  const { SERVICES } = (await contract('envelope.ts')) as { SERVICES: readonly string[] };
  const { EVENTS } = (await contract('events.ts')) as { EVENTS: Record<string, unknown> };
  const { COMMANDS } = (await contract('commands.ts')) as { COMMANDS: Record<string, { queue: string }> };
  return {
    services: SERVICES,
    events: Object.keys(EVENTS),
    commandQueues: new Map(Object.entries(COMMANDS).map(([type, { queue }]) => [type, queue])),
  };
}

/**
 * In a terminal, asks for the services the kind needs: nx prompts for the options every message
 * has, but its prompts cannot depend on --kind. Elsewhere the plan names what is missing.
 */
async function askForMissing(options: EventGeneratorOptions, contracts: Contracts) {
  const wanted =
    (options.kind ?? 'event') === 'event'
      ? ([['publisher', 'Which service publishes it']] as const)
      : ([
          ['sender', 'Which service sends it'],
          ['receiver', 'Which service receives it'],
        ] as const);
  const missing = wanted.filter(([option]) => !options[option]);
  if (missing.length === 0 || process.env.NX_INTERACTIVE !== 'true' || !process.stdin.isTTY) return options;
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answers: Record<string, string> = {};
    for (const [option, question] of missing) {
      answers[option] = (
        await terminal.question(`? ${question} (${contracts.services.join(', ')})? `)
      ).trim();
    }
    return { ...options, ...answers };
  } finally {
    terminal.close();
  }
}

/**
 * Formats the contracts, then for an event builds the bundles synth needs and regenerates docs/api.
 * A command's queue is not in the templates yet, so docs/api waits for its consumer.
 */
function regenerateDerivedFiles(root: string, plan: MessagePlan, file: string): void {
  const steps: [string, string, string[]][] = [
    ['Formatting the contracts', 'npx', ['biome', 'check', '--write', file]],
  ];
  if (plan.kind === 'event') {
    steps.push(
      // Synth reads every function's bundle, and each bundles the contracts.
      [
        'Bundling the functions (nx: only what changed)',
        'npx',
        ['nx', 'run-many', '-t', 'build', '--projects=apps/*', '--outputStyle=static'],
      ],
      ['Regenerating docs/api from the contracts', 'npm', ['run', '--silent', 'api-docs']],
    );
  }
  for (const [title, command, args] of steps) {
    logger.info(`${title}…`);
    execFileSync(command, args, { cwd: root, stdio: 'inherit' });
  }
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
