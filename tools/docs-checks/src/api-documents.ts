#!/usr/bin/env node
// Writes docs/api/openapi.json, docs/api/asyncapi.yaml and docs/api/README.md from libs/contracts and a
// fresh synthesis of the CDK app (about 10 s):
//   npm run api-docs            rewrites the three files
//   npm run api-docs -- --check exits 1, naming each file, when a committed one is out of date
// The docs check in `npm test` runs the same comparison, so the documents never drift from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { readApiModel } from './api-model.ts';
import { apiReadme } from './api-readme.ts';
import { asyncApiDocument } from './asyncapi.ts';
import { openApiDocument } from './openapi.ts';
import { synthesizeApp } from './synthesized-app.ts';

const docsDir = new URL('../../../docs/api/', import.meta.url);
export const API_DOCUMENTS = {
  openapi: fileURLToPath(new URL('openapi.json', docsDir)),
  asyncapi: fileURLToPath(new URL('asyncapi.yaml', docsDir)),
  readme: fileURLToPath(new URL('README.md', docsDir)),
} as const;

/** The documents' version: the application's, from the root package.json. */
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The three documents' text, as the generator writes them. */
export function renderApiDocuments(
  resources: Parameters<typeof readApiModel>[0],
): Record<keyof typeof API_DOCUMENTS, string> {
  const model = readApiModel(resources);
  return {
    openapi: `${JSON.stringify(openApiDocument(model, version), null, 2)}\n`,
    asyncapi: stringify(asyncApiDocument(model, version), { lineWidth: 0, aliasDuplicateObjects: false }),
    readme: apiReadme(model),
  };
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  console.error('Synthesizing the CDK app for the API documents…');
  const rendered = renderApiDocuments(synthesizeApp().resources);
  let stale = 0;
  for (const [name, file] of Object.entries(API_DOCUMENTS) as [keyof typeof API_DOCUMENTS, string][]) {
    const committed = (() => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return '';
      }
    })();
    if (committed === rendered[name]) continue;
    if (check) {
      stale++;
      console.error(`${file} is out of date: run npm run api-docs`);
    } else {
      writeFileSync(file, rendered[name]);
      console.error(`wrote ${file}`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
