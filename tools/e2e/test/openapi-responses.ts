import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/**
 * Holds every answer of the API the end-to-end tests see to docs/api/openapi.json: the route's
 * documented statuses and, for each, its body's schema. A path no route matches is answered by the
 * `$default` route, in the error shape. What differs is the test's failure, with the reason.
 */
interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: { $ref: string } } } }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const document = JSON.parse(
  readFileSync(new URL('../../../docs/api/openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
// ajv-formats is CommonJS: its plugin is the module's default export.
formats.default(ajv);
ajv.addSchema(document as object, 'openapi.json');

const routes = Object.entries(document.paths).map(([template, operations]) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
  operations,
}));

/** Why the answer breaks the document, or undefined when it keeps to it. */
export function openApiProblem(
  method: string,
  url: string,
  status: number,
  body: unknown,
): string | undefined {
  const path = url.split('?')[0] ?? url;
  const route = routes.find((candidate) => candidate.pattern.test(path));
  const operation = route?.operations[method.toLowerCase()];
  const label = `${method} ${route?.template ?? path} answered ${status}`;
  let schemaRef: string | undefined;
  if (!operation) {
    if (status !== 404 && status !== 405 && status !== 401)
      return `${label}, but no route of openapi.json matches it`;
    schemaRef = status === 401 ? '#/components/schemas/GatewayUnauthorized' : '#/components/schemas/Error';
  } else {
    const response = operation.responses[String(status)];
    if (!response) return `${label}, a status openapi.json does not document for it`;
    schemaRef = response.content?.['application/json']?.schema.$ref;
    if (!schemaRef)
      return body === undefined ? undefined : `${label} with a body openapi.json does not describe`;
  }
  const validate = ajv.getSchema(`openapi.json${schemaRef}`);
  if (!validate) return `${label}: openapi.json has no ${schemaRef}`;
  if (validate(body)) return undefined;
  const errors = (validate.errors ?? []).map(
    (error: ErrorObject) => `${error.instancePath || '(body)'} ${error.message}`,
  );
  return `${label} with a body unlike ${schemaRef}: ${errors.join('; ')}: ${JSON.stringify(body)}`;
}
