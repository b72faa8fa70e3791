import type { Tree } from '@nx/devkit';
import { addNamedImport, insertAt, readSource } from '../../source-edits.ts';
import type { FunctionPlan } from '../plan.ts';
import { addBenchScenario, addParameter, addToServiceStack, serviceStack } from './stack-edits.ts';

type HttpPlan = Extract<FunctionPlan, { trigger: 'http' }>;

export const ROUTES_FILE = 'libs/contracts/src/routes.ts';
const HTTP_BODIES_FILE = 'libs/contracts/src/http.ts';
/** The service whose stack owns the HTTP API: other services' functions are mounted there. */
export const API_SERVICE = 'orders';

/** The route, its body's schema, the function behind the API's JWT authorizer, and its bench event. */
export function wireHttp(tree: Tree, plan: HttpPlan): void {
  if (readSource(tree, ROUTES_FILE).includes(`'${plan.route.key}':`)) {
    throw new Error(`The HTTP API already has ${plan.route.key} (${ROUTES_FILE}): pick another --route.`);
  }
  addContract(tree, plan);
  const fn = `this.addFunction('${plan.typeName}Function', {
      handler: '${plan.name}',
      description: ${JSON.stringify(plan.description)},
      invokedBy: '\`${plan.route.key}\`',
      failureMeans: '${plan.route.key} fails: the client got a 500',
    })`;
  const route = (target: string) =>
    `    route('${plan.route.key}', '${plan.typeName}Integration', ${target});\n`;
  if (plan.service === API_SERVICE) {
    insertAt(
      tree,
      serviceStack(API_SERVICE),
      { before: /\n {4}\/\/ Whatever no route matches/ },
      `\n    const ${plan.useCase} = ${fn};\n${route(`${plan.useCase}.target`)}`,
    );
  } else {
    // As get-invoice: the service publishes the function's ARN, the API's stack routes to it.
    const parameter = `${plan.useCase}FunctionArn`;
    addParameter(tree, parameter, `ref('${plan.service}', '${plan.name}-function', 'arn')`);
    addNamedImport(tree, serviceStack(plan.service), 'PARAMETERS', '../parameters.ts');
    addNamedImport(tree, serviceStack(plan.service), 'publishParameter', '../parameters.ts');
    addToServiceStack(
      tree,
      plan.service,
      `    const ${plan.useCase} = ${fn};
    publishParameter(this, this.stage, PARAMETERS.${parameter}, ${plan.useCase}.target.functionArn);
`,
    );
    insertAt(
      tree,
      serviceStack(API_SERVICE),
      { before: /\n {4}\/\/ Whatever no route matches/ },
      `\n${route(`this.publishedFunction('${plan.typeName}Function', PARAMETERS.${parameter})`)}`,
    );
  }
  const pathParameters = plan.pathParameters.map((parameter) => `${parameter}: '${parameter}-1'`).join(', ');
  addBenchScenario(
    tree,
    plan.name,
    `{
      event: async () =>
        httpEvent({ method: '${plan.route.method}', route: '${plan.route.path}', pathParameters: { ${pathParameters} }, customerId }),
      problem: httpStatus(${plan.status}),
    }`,
  );
}

/** The response body's schema beside the others, and the route in the contract's list. */
function addContract(tree: Tree, plan: HttpPlan): void {
  const fields = plan.pathParameters.map((parameter) => `${parameter}: z.string()`).join(', ');
  tree.write(
    HTTP_BODIES_FILE,
    `${readSource(tree, HTTP_BODIES_FILE)}
/** \`${plan.status}\` to \`${plan.route.key}\`. */
export const ${plan.useCase}ResponseSchema = z.strictObject({ ${fields} });
export type ${plan.typeName}Response = z.infer<typeof ${plan.useCase}ResponseSchema>;
`,
  );
  addNamedImport(tree, ROUTES_FILE, `${plan.useCase}ResponseSchema`, './http.ts');
  insertAt(
    tree,
    ROUTES_FILE,
    { before: /\} as const satisfies Record<string, RouteContract>;/ },
    `  '${plan.route.key}': {
    operationId: '${plan.useCase}',
    summary: ${JSON.stringify(plan.description)},
    caller: 'customer',
    success: {
      status: ${plan.status},
      description: '${plan.status === 200 ? 'The answer.' : 'Accepted.'}',
      body: { name: '${plan.typeName}Response', schema: ${plan.useCase}ResponseSchema },
    },
    errors: ['internal_error'],
  },
`,
  );
}
