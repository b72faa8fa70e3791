import { ERROR_STATUS, type ErrorCode } from '@shop/contracts/errors';
import { errorBodySchema } from '@shop/contracts/http';
import { type HeaderContract, RESPONSE_HEADERS, ROUTES, type RouteContract } from '@shop/contracts/routes';
import * as z from '@shop/contracts/zod';
import type { ApiModel } from './api-model.ts';

/** The JSON Schema (2020-12, as OpenAPI 3.1 uses) of a contract's zod schema. */
function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });

/**
 * The OpenAPI 3.1 document of the HTTP API: every route the templates deploy, with the bodies,
 * headers and errors of libs/contracts/src/routes.ts. A route in the templates that the contracts do
 * not describe, or the reverse, is an error, and so is a route whose authorization disagrees.
 */
export function openApiDocument(model: ApiModel, version: string): Record<string, unknown> {
  const deployed = new Set(model.routes.map((route) => route.key));
  const described = Object.keys(ROUTES);
  const undescribed = [...deployed].filter((key) => !described.includes(key));
  const undeployed = described.filter((key) => !deployed.has(key));
  if (undescribed.length > 0 || undeployed.length > 0) {
    throw new Error(
      [
        ...undescribed.map(
          (key) => `${key} is a route of the templates with no contract in libs/contracts/src/routes.ts`,
        ),
        ...undeployed.map(
          (key) => `${key} has a contract in libs/contracts/src/routes.ts but no route in the templates`,
        ),
      ].join('\n'),
    );
  }

  const schemas: Record<string, unknown> = {
    Error: jsonSchema(errorBodySchema, 'input'),
    GatewayUnauthorized: {
      type: 'object',
      description: "API Gateway's own answer to a request without a valid customer token.",
      properties: { message: { const: 'Unauthorized' } },
      required: ['message'],
    },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { key, authorization } of model.routes) {
    const route: RouteContract = ROUTES[key as keyof typeof ROUTES];
    const expected = route.caller === 'customer' ? 'JWT' : 'NONE';
    if (authorization !== expected) {
      throw new Error(
        `${key}: the templates authorize it with ${authorization}, its contract's caller needs ${expected}`,
      );
    }
    const [method = '', path = ''] = key.split(' ');
    if (route.requestBody) schemas[route.requestBody.name] = jsonSchema(route.requestBody.schema, 'input');
    schemas[route.success.body.name] = jsonSchema(route.success.body.schema, 'input');
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[method.toLowerCase()] = operation(route, path);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Serverless Commerce HTTP API',
      version,
      description:
        'Orders, their invoices and the bank-transfer webhook. Amounts are integer minor units (cents). ' +
        'Every error answers {"error":{"code","message","details?"}}' +
        (model.hasDefaultRoute
          ? '; a path or method no route matches answers 404 or 405 (with Allow) in the same shape.'
          : '.') +
        ' Generated from libs/contracts and the synthesized templates: npm run api-docs.',
    },
    security: [{ customerToken: [] }],
    paths,
    components: {
      securitySchemes: {
        customerToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            `An ID token of the stage's Cognito user pool for its app client, read from ${model.tokenSource} ` +
            "by the HTTP API's JWT authorizer (issuer: the pool; audience: the app client). The customer is its sub.",
        },
        bankSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description:
            "The bank's Standard Webhooks signature: HMAC-SHA256 of webhook-id, webhook-timestamp and the raw " +
            "body with the stage's webhook secret (Secrets Manager). Unsigned, wrongly signed, altered or " +
            'older than 5 minutes answers 401.',
        },
      },
      schemas,
    },
  };
}

function operation(route: RouteContract, path: string): Record<string, unknown> {
  const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const headerParameters = Object.entries(route.requestHeaders ?? {})
    .filter(([name]) => name !== 'webhook-signature')
    .map(([name, header]) => ({ name, in: 'header', ...headerObject(header) }));
  const parameters = [...pathParameters, ...headerParameters];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.caller === 'bank' ? { security: [{ bankSignature: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.requestBody
      ? { requestBody: { required: true, content: json(ref(route.requestBody.name)) } }
      : {}),
    responses: {
      [route.success.status]: {
        description: route.success.description,
        headers: headersObject({ ...route.success.headers, ...RESPONSE_HEADERS }),
        content: json(ref(route.success.body.name)),
      },
      ...errorResponses(route),
    },
  };
}

/** One response per error status, naming the codes it carries. */
function errorResponses(route: RouteContract): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of route.errors)
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const responses: Record<string, unknown> = {};
  if (route.caller === 'customer') {
    responses[401] = {
      description: "No valid customer token (API Gateway's JWT authorizer).",
      content: json(ref('GatewayUnauthorized')),
    };
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: codes.join(', '),
      headers: headersObject(RESPONSE_HEADERS),
      content: json(ref('Error')),
    };
  }
  return responses;
}

function headersObject(headers: Readonly<Record<string, HeaderContract>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([name, header]) => [name, headerObject(header)]));
}

function headerObject(header: HeaderContract) {
  return { description: header.description, required: header.required, schema: { type: 'string' } };
}
