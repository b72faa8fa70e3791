import { join } from 'node:path';
import { type GeneratorCallback, generateFiles, names, type Tree } from '@nx/devkit';
import { runSteps } from '../derived-files.ts';
import functionGenerator from '../function/generator.ts';
import { addNamedImport, insertAt, readSource } from '../source-edits.ts';

export interface ServiceGeneratorOptions {
  /** Plural, kebab-case: `shipments`. */
  readonly name: string;
  readonly description: string;
  /** Its first function; `get-<entity>` by default. */
  readonly function?: string;
  /** Run npm install to add the package to the workspace and the lockfile (default). */
  readonly install?: boolean;
  /** As the function generator's: regenerate the derived documents afterwards (default). */
  readonly regenerate?: boolean;
}

const STAGE_FILE = 'infra/src/serverless-commerce-stage.ts';

/**
 * `npx nx g @shop/generators:service`: a service shaped like the others (package, README, stack),
 * its table in the data stack with its SSM parameters, wired into every stage and so into the
 * pipeline, with a first function from the function generator so that it builds, deploys and
 * answers from the start.
 */
export default async function serviceGenerator(
  tree: Tree,
  options: ServiceGeneratorOptions,
): Promise<GeneratorCallback> {
  const { name } = options;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*s$/.test(name)) {
    throw new Error(`"${name}" is not a service name: a plural noun in kebab-case (shipments).`);
  }
  if (tree.exists(`apps/${name}`)) {
    throw new Error(`apps/${name} exists: there is a service ${name} already. Pick another --name.`);
  }
  const entity = name.replace(/s$/, '');
  const { className, propertyName, constantName } = names(name);
  const key = `${names(entity).propertyName}Id`;
  const orders = JSON.parse(readSource(tree, 'apps/orders/package.json')) as {
    name: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const scope = orders.name.split('/')[0] as string;
  const pick = (from: Record<string, string>, wanted: string[]) =>
    JSON.stringify(Object.fromEntries(wanted.map((dependency) => [dependency, from[dependency]])), null, 2);
  const substitutions = {
    name,
    entity,
    key,
    className,
    scope,
    title: className,
    description: options.description.replace(/\.?$/, '.'),
    /** The description inside a sentence: `Shipments service: ships paid orders…`. */
    clause: `${options.description.charAt(0).toLowerCase()}${options.description.slice(1).replace(/\.?$/, '.')}`,
    tableVariable: `${constantName}_TABLE_NAME`,
    // Its first function needs the library and the contracts; a store adds the SDK's DynamoDB clients.
    dependencies: pick(orders.dependencies, [`${scope}/contracts`, `${scope}/shared`]),
    devDependencies: pick(orders.devDependencies, [`${scope}/testing`]),
  };
  generateFiles(tree, join(import.meta.dirname, 'files'), '.', substitutions);

  addToUnion(tree, 'libs/contracts/src/envelope.ts', /export const SERVICES = \[[^\]]*/, `, '${name}'`);
  addToUnion(
    tree,
    'infra/src/constructs/service-function.ts',
    /export type ServiceName = [^;]*/,
    ` | '${name}'`,
  );
  addToUnion(tree, 'infra/src/parameters.ts', /export type ParameterOwner = [^;]*/, ` | '${name}'`);
  addToUnion(tree, 'infra/src/shared-data.ts', /export type TableName = [^;]*/, ` | '${name}'`);
  insertAt(
    tree,
    'infra/src/parameters.ts',
    { before: /\} as const satisfies Record<string, ParameterRef>;/ },
    `  ${propertyName}TableName: ref('data', '${name}-table', 'name'),
  ${propertyName}TableArn: ref('data', '${name}-table', 'arn'),
`,
  );
  insertAt(
    tree,
    'infra/src/shared-data.ts',
    { before: /(?<=export const TABLES[\s\S]*?)\n\};/ },
    `
  ${propertyName}: {
    id: '${className}Table',
    partitionKey: '${key}',
    parameter: PARAMETERS.${propertyName}TableName,
    arnParameter: PARAMETERS.${propertyName}TableArn,
    environmentVariable: '${substitutions.tableVariable}',
    indexes: {},
  },`,
  );
  wireIntoStage(tree, name, className, substitutions.clause);
  insertAt(
    tree,
    'README.md',
    { after: /\napps\/invoices\/ +[^\n]*\n/ },
    `${`apps/${name}/`.padEnd(20)}${substitutions.description.replace(/\.$/, '')}\n`,
  );

  const first = await functionGenerator(tree, {
    service: name,
    name: options.function ?? `get-${entity}`,
    trigger: 'http',
    regenerate: options.regenerate ?? true,
  });
  return () => {
    // The new package joins the workspace (its link in node_modules, its entry in the lockfile).
    if (options.install ?? true) {
      runSteps(tree.root, [
        [
          `Adding ${scope}/${name} to the workspace (npm install)`,
          'npm',
          ['install', '--no-audit', '--no-fund'],
        ],
      ]);
    }
    first();
  };
}

/** Adds a member to a list or union type the service's name belongs in. */
function addToUnion(tree: Tree, path: string, union: RegExp, member: string): void {
  insertAt(tree, path, { after: union }, member);
}

/** The stack in every stage: after the data stack it reads, before the orders stack that routes to it. */
function wireIntoStage(tree: Tree, name: string, className: string, description: string): void {
  const property = names(name).propertyName;
  addNamedImport(tree, STAGE_FILE, `${className}Service`, `./stacks/${name}-service.ts`);
  insertAt(
    tree,
    STAGE_FILE,
    { before: /\n\n {2}constructor\(/ },
    `\n  readonly ${property}: ${className}Service;`,
  );
  insertAt(
    tree,
    STAGE_FILE,
    { before: /\n {4}this\.orders = new OrdersService\(/ },
    `
    this.${property} = new ${className}Service(this, '${className}', {
      ...stackProps('${name}', ${JSON.stringify(`${className} service: ${description}`)}),
      stage: config,
    });`,
  );
  insertAt(
    tree,
    STAGE_FILE,
    { before: /\n {2}\}\n\n {2}\/\*\* Every stack of the stage/ },
    `
    this.${property}.addStackDependency(this.data, 'reads the data stack parameters');
    this.orders.addStackDependency(this.${property}, 'routes the HTTP API to its functions');`,
  );
  insertAt(tree, STAGE_FILE, { before: /this\.orders\];/ }, `this.${property}, `);
}
