#!/usr/bin/env node
// Builds the flow page (web/) into dist/web: app.ts bundled, index.html and app.css copied.
import { bundlePage } from './bundle-page.ts';

await bundlePage({
  packageDir: `${import.meta.dirname}/..`,
  entry: 'app.ts',
  copy: ['index.html', 'app.css'],
  what: 'the flow page',
});
