import type { JwtAuthorizer } from './jwt-authorizer.ts';

/**
 * HTTP API route selection. API Gateway picks the most specific match: a route without a greedy
 * variable beats one with `{proxy+}`, literal segments beat `{param}` segments (left to right), a
 * longer fixed prefix beats a shorter one before a greedy variable, an exact method beats `ANY`, and
 * `$default` catches what nothing else does.
 */

export interface HttpRoute {
  /** `"POST /tickets"`, `"GET /tickets/{ticketId}"`, `"ANY /files/{proxy+}"` or `"$default"`. */
  routeKey: string;
  /** The function the route integrates with (the template's logical id). */
  functionName: string;
  /** Absent: the route takes any request. */
  authorizer?: JwtAuthorizer;
}

export interface RouteMatch {
  route: HttpRoute;
  pathParameters?: Record<string, string>;
}

export type RouteSelector = (method: string, rawPath: string) => RouteMatch | undefined;

type Segment = { literal: string } | { param: string };

interface CompiledRoute {
  route: HttpRoute;
  method: string;
  segments: Segment[];
  greedy?: string;
  rank: number[];
}

const METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const DEFAULT_ROUTE = '$default';

export function compileRoutes(routes: HttpRoute[]): RouteSelector {
  const seen = new Set<string>();
  for (const { routeKey } of routes) {
    if (seen.has(routeKey)) throw new Error(`Route "${routeKey}" is defined twice`);
    seen.add(routeKey);
  }
  const fallback = routes.find((route) => route.routeKey === DEFAULT_ROUTE);
  const compiled = routes.filter((route) => route !== fallback).map(compileRoute);

  return (method, rawPath) => {
    const requestSegments = rawPath === '/' ? [] : rawPath.slice(1).split('/');
    let best: { match: RouteMatch; rank: number[] } | undefined;
    for (const candidate of compiled) {
      const pathParameters = matchRoute(candidate, method, requestSegments);
      if (!pathParameters) continue;
      if (best && compareRanks(candidate.rank, best.rank) >= 0) continue;
      best = {
        match: {
          route: candidate.route,
          ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
        },
        rank: candidate.rank,
      };
    }
    return best?.match ?? (fallback ? { route: fallback } : undefined);
  };
}

function compileRoute(route: HttpRoute): CompiledRoute {
  const refuse = (problem: string): never => {
    throw new Error(`Route "${route.routeKey}" is not a valid HTTP API route key: ${problem}`);
  };
  const [method = '', path = '', ...extra] = route.routeKey.split(' ');
  if (extra.length > 0 || !METHODS.includes(method))
    refuse(`expected "METHOD /path" with METHOD in ${METHODS.join(', ')}`);
  if (!path.startsWith('/')) refuse('the path must start with /');
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments: Segment[] = [];
  let greedy: string | undefined;
  const names = new Set<string>();
  parts.forEach((part, index) => {
    if (part === '') refuse('empty path segments are not allowed');
    const variable = /^\{([A-Za-z0-9._-]+)(\+?)\}$/.exec(part);
    if (!variable) {
      if (/[{}]/.test(part)) refuse(`"${part}": a variable must be a whole segment, like {id}`);
      segments.push({ literal: part });
      return;
    }
    const [, name = '', plus] = variable;
    if (names.has(name)) refuse(`the variable {${name}} appears twice`);
    names.add(name);
    if (plus) {
      if (index !== parts.length - 1) refuse('a greedy variable {name+} must be the last segment');
      greedy = name;
    } else {
      segments.push({ param: name });
    }
  });
  const rank = [
    greedy === undefined ? 0 : 1,
    // Among greedy routes, the longest fixed prefix is the most specific.
    greedy === undefined ? 0 : -segments.length,
    ...segments.map((segment) => ('literal' in segment ? 0 : 1)),
    method === 'ANY' ? 1 : 0,
  ];
  return { route, method, segments, ...(greedy === undefined ? {} : { greedy }), rank };
}

function matchRoute(
  candidate: CompiledRoute,
  method: string,
  requestSegments: string[],
): Record<string, string> | undefined {
  if (candidate.method !== 'ANY' && candidate.method !== method) return undefined;
  const { segments, greedy } = candidate;
  if (
    greedy === undefined
      ? requestSegments.length !== segments.length
      : requestSegments.length <= segments.length
  ) {
    return undefined;
  }
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const raw = requestSegments[index] ?? '';
    const decoded = decodePathSegment(raw);
    if ('literal' in segment) {
      if (decoded !== segment.literal) return undefined;
    } else {
      if (raw === '') return undefined;
      parameters[segment.param] = decoded;
    }
  }
  if (greedy !== undefined) {
    const rest = requestSegments.slice(segments.length).join('/');
    if (rest === '') return undefined;
    parameters[greedy] = decodePathSegment(rest);
  }
  return parameters;
}

/** Path parameters reach the function decoded (`a%20b` → `a b`); a malformed escape stays as sent. */
function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function compareRanks(left: number[], right: number[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
