#!/usr/bin/env node
// Builds this application's panels of the flow page (web/) into dist/web, where its plugin serves
// them, and renders docs/api/openapi.json into dist/web/api-reference.html: Redoc, inlined, so the
// reference works offline.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundlePage } from '@shop/local-cloud/bundle-page';

const packageDir = join(import.meta.dirname, '..');
await bundlePage({
  packageDir,
  entry: 'shop-panels.ts',
  copy: ['shop-panels.css'],
  what: "the flow page's panels",
});

const manifest = createRequire(import.meta.url).resolve('@redocly/cli/package.json');
const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
const rendered = spawnSync(
  process.execPath,
  [
    join(dirname(manifest), bin.redocly ?? 'bin/cli.js'),
    'build-docs',
    join(packageDir, '../../docs/api/openapi.json'),
    '--inlineBundle',
    '--title',
    'Serverless Commerce HTTP API',
    '--output',
    join(packageDir, 'dist/web/api-reference.html'),
  ],
  // No telemetry, no update check: the build runs offline.
  {
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);
if (rendered.status !== 0) throw new Error(`redocly build-docs exited with ${rendered.status}`);
