import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { ROUTES, type RouteContract } from '@shop/contracts/routes';

/**
 * What the application's source declares, for tests to derive their expectations from: a new
 * handler or route then needs no count or list edited in a test.
 */

const appsDir = new URL('../../apps/', import.meta.url);

/** Every handler file, `apps/<service>/src/handlers/<handler>.ts`: one function each. */
export const HANDLERS: readonly { service: string; handler: string }[] = readdirSync(appsDir)
  .filter((service) => existsSync(new URL(`${service}/src/handlers/`, appsDir)))
  .flatMap((service) =>
    readdirSync(new URL(`${service}/src/handlers/`, appsDir))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => ({ service, handler: basename(file, '.ts') })),
  );

/** The route keys of the HTTP contract (`POST /orders`), optionally of one kind of caller only. */
export function routeKeys(caller?: RouteContract['caller']): string[] {
  return Object.entries(ROUTES as Record<string, RouteContract>)
    .filter(([, route]) => caller === undefined || route.caller === caller)
    .map(([routeKey]) => routeKey);
}

/** The routes of the API as deployed: the contract's and `$default`, which answers the rest. */
export function deployedRouteKeys(): string[] {
  return ['$default', ...routeKeys()];
}
