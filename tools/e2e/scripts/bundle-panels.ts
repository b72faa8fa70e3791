#!/usr/bin/env node
// Builds this application's panels of the flow page (web/) into dist/web, where its plugin serves them.
import { bundlePage } from '@shop/local-cloud/bundle-page';

await bundlePage({
  packageDir: `${import.meta.dirname}/..`,
  entry: 'shop-panels.ts',
  copy: ['shop-panels.css'],
  what: "the flow page's panels",
});
