import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bundle, bundleName } from './change-plan.ts';

/**
 * Which functions run which bundle. The assembly runs a copy of each bundle (cdk.out/asset.<hash>/),
 * which names no source; the copy and its original in apps/<service>/dist/<handler>/ have the same
 * bytes, the source map naming the handler's own file, so they are matched by content. Functions
 * that run no bundle of the services (a CDK custom resource's) match none and are left out.
 * Returns the function names by bundle name (`orders/place-order`).
 */
export function functionsByBundle(
  functions: readonly { name: string; handlerFile: string }[],
  bundles: readonly Bundle[],
): Map<string, string[]> {
  const bundleByContent = new Map<string, string>();
  for (const bundle of bundles) {
    const fingerprint = bundleFingerprint(join(bundle.appDir, 'dist', bundle.handler, 'index.mjs'));
    if (fingerprint) bundleByContent.set(fingerprint, bundleName(bundle));
  }
  const functionsOf = new Map<string, string[]>();
  for (const fn of functions) {
    const name = bundleByContent.get(bundleFingerprint(fn.handlerFile) ?? '');
    if (name) functionsOf.set(name, [...(functionsOf.get(name) ?? []), fn.name]);
  }
  return functionsOf;
}

/** The hash of a bundle and its source map; undefined when there is no bundle there. */
export function bundleFingerprint(handlerFile: string): string | undefined {
  if (!existsSync(handlerFile)) return undefined;
  const map = `${handlerFile}.map`;
  return fingerprintOf(readFileSync(handlerFile), existsSync(map) ? readFileSync(map) : '');
}

export function fingerprintOf(code: Uint8Array | string, map: Uint8Array | string): string {
  return createHash('sha256').update(code).update(map).digest('hex');
}
