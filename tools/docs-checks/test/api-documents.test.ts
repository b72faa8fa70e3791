import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { compileErrors, validate } from '@readme/openapi-parser';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { API_DOCUMENTS, renderApiDocuments } from '../src/api-documents.ts';
import { readApiModel } from '../src/api-model.ts';
import { openApiDocument } from '../src/openapi.ts';
import { type SynthesizedApp, synthesizeApp } from '../src/synthesized-app.ts';

let resources: SynthesizedApp['resources'];
beforeAll(() => {
  ({ resources } = synthesizeApp());
});

const committed = (name: keyof typeof API_DOCUMENTS) => readFileSync(API_DOCUMENTS[name], 'utf8');

describe('the API documents in docs/api', () => {
  it.each(Object.keys(API_DOCUMENTS) as (keyof typeof API_DOCUMENTS)[])(
    'hold %s as libs/contracts and the templates make it',
    (name) => {
      expect(committed(name), `${API_DOCUMENTS[name]} is out of date: run npm run api-docs`).toBe(
        renderApiDocuments(resources)[name],
      );
    },
  );

  it('describe every route of the templates, and only those, in openapi.json', () => {
    const document = JSON.parse(committed('openapi')) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const deployed = readApiModel(resources).routes.map((route) => route.key);
    expect(documented.sort()).toEqual(deployed.sort());
  });

  it('openapi.json is valid OpenAPI 3.1', async () => {
    const result = await validate(JSON.parse(committed('openapi')));
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.specification).toBe('OpenAPI');
  });

  it('asyncapi.yaml is valid AsyncAPI 3', async () => {
    const diagnostics = await new Parser().validate(committed('asyncapi'));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
  });

  it("show each message of asyncapi.yaml with an example its payload's schema accepts", () => {
    // The AsyncAPI parser checks examples of AsyncAPI 2 documents only: this does it for version 3.
    const { components } = parse(committed('asyncapi')) as {
      components: { messages: Record<string, { payload: object; examples?: { payload: unknown }[] }> };
    };
    const ajv = new Ajv({ strict: false, allErrors: true });
    // ajv-formats is CommonJS: its plugin is the module's default export.
    formats.default(ajv);
    const problems = Object.entries(components.messages).flatMap(([name, message]) => {
      const validate = ajv.compile(message.payload);
      if (!message.examples?.length) return [`${name} has no example`];
      return message.examples.flatMap((example) =>
        validate(example.payload)
          ? []
          : (validate.errors ?? []).map((error) => `${name}${error.instancePath} ${error.message}`),
      );
    });
    expect(problems).toEqual([]);
  });

  it('refuse a route of the templates that has no contract, and a contract with no route', () => {
    const model = readApiModel(resources);
    const withExtra = {
      ...model,
      routes: [...model.routes, { key: 'DELETE /orders/{orderId}', authorization: 'JWT' }],
    };
    expect(() => openApiDocument(withExtra, '0')).toThrow(
      'DELETE /orders/{orderId} is a route of the templates with no contract in libs/contracts/src/routes.ts',
    );
    const withoutInvoices = {
      ...model,
      routes: model.routes.filter((route) => !route.key.includes('invoices')),
    };
    expect(() => openApiDocument(withoutInvoices, '0')).toThrow(
      'GET /invoices/{invoiceId} has a contract in libs/contracts/src/routes.ts but no route in the templates',
    );
  });

  it('refuse a route whose authorization is not what its caller needs', () => {
    const model = readApiModel(resources);
    const opened = {
      ...model,
      routes: model.routes.map((route) =>
        route.key === 'POST /orders' ? { ...route, authorization: 'NONE' } : route,
      ),
    };
    expect(() => openApiDocument(opened, '0')).toThrow(
      "POST /orders: the templates authorize it with NONE, its contract's caller needs JWT",
    );
  });
});
