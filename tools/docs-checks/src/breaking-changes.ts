#!/usr/bin/env node
// Compares docs/api/openapi.json and docs/api/asyncapi.yaml with the ones on the target branch and fails
// on a change that breaks a client or a consumer, with Redocly CLI's diff rules:
//   npm run api-breaking-changes                      against $API_DOCS_BASE_REF, else origin/main, else HEAD
//   npm run api-breaking-changes -- --base v1.4.0     against any git ref
// A breaking change inside a message whose version was bumped is allowed: that is what versions are for.
// `npm test` runs the same check (tools/docs-checks/test/breaking-changes.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { API_DOCUMENTS } from './api-documents.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export type ApiDocument = 'openapi' | 'asyncapi';

export interface ApiChange {
  readonly document: ApiDocument;
  /** Where in the document, e.g. `#/paths/~1orders/post/...` or `#/channels/eventBus/messages/OrderPlaced/...`. */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export interface BreakingChangeReport {
  /** Changes that break a client or a consumer. */
  readonly breaking: ApiChange[];
  /** Breaking changes inside a message whose version was bumped. */
  readonly versioned: ApiChange[];
}

interface RedoclyChange {
  path: string;
  impact: string;
  verdicts?: { ruleId: string; impact: string; message: string }[];
}

/**
 * The git ref whose documents are the base: $API_DOCS_BASE_REF, else the target branch, else the
 * last commit (then only uncommitted changes are compared, and the check says so).
 */
export function defaultBaseRef(): string {
  const candidates = [process.env.API_DOCS_BASE_REF, 'origin/main'].filter(Boolean) as string[];
  for (const ref of candidates) {
    const found = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: repositoryRoot,
    });
    if (found.status === 0) return ref;
  }
  console.error('No origin/main and no API_DOCS_BASE_REF: comparing docs/api with HEAD only.');
  return 'HEAD';
}

/**
 * Where HEAD left `ref`: the target branch as this branch saw it. A branch behind its target is not
 * blamed for what the target changed since (a pull request's merge commit has the target as its base).
 */
function mergeBase(ref: string): string {
  const found = spawnSync('git', ['merge-base', 'HEAD', ref], { cwd: repositoryRoot, encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : ref;
}

/** A document's text at a git ref, or undefined where the ref has no such file (a first version). */
export function documentAt(ref: string, document: ApiDocument): string | undefined {
  const path = relative(repositoryRoot, API_DOCUMENTS[document]);
  const shown = spawnSync('git', ['show', `${ref}:${path}`], { cwd: repositoryRoot, encoding: 'utf8' });
  return shown.status === 0 ? shown.stdout : undefined;
}

/** The breaking changes from `base` to `revision` of one document, by Redocly's diff-recommended rules. */
export function compareDocuments(
  document: ApiDocument,
  base: string,
  revision: string,
): BreakingChangeReport {
  const folder = mkdtempSync(join(tmpdir(), 'api-diff-'));
  const extension = document === 'openapi' ? 'json' : 'yaml';
  try {
    const basePath = join(folder, `base.${extension}`);
    const revisionPath = join(folder, `revision.${extension}`);
    writeFileSync(basePath, renamedLike(base, revision));
    writeFileSync(revisionPath, revision);
    const result = spawnSync(
      process.execPath,
      [redoclyCli(), 'diff', basePath, revisionPath, '--format=json', '--fail-on=none'],
      {
        cwd: folder,
        encoding: 'utf8',
        // No telemetry, no update check: the check runs offline.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    if (result.status !== 0) {
      throw new Error(`redocly diff failed (${result.status}): ${result.stderr}`);
    }
    const { changes } = JSON.parse(result.stdout) as { changes: RedoclyChange[] };
    const baseVersions = messageVersions(document, base);
    const revisionVersions = messageVersions(document, revision);
    const report: BreakingChangeReport = { breaking: [], versioned: [] };
    for (const change of changes) {
      for (const verdict of change.verdicts ?? []) {
        if (verdict.impact !== 'major') continue;
        const found = { document, path: change.path, rule: verdict.ruleId, message: verdict.message };
        const message = /\/messages\/([^/]+)/.exec(change.path)?.[1];
        const bumped =
          message !== undefined &&
          revisionVersions.has(message) &&
          revisionVersions.get(message) !== baseVersions.get(message);
        (bumped ? report.versioned : report.breaking).push(found);
      }
    }
    return report;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The base with the application's name the revision has: `npm run rename` changes every event's
 * source and every physical name, which is no break for the renamed template's own clients.
 */
function renamedLike(base: string, revision: string): string {
  const appName = (text: string) => /\bsource:\s+type: string\s+const: ([a-z0-9-]+)\./.exec(text)?.[1];
  const [before, after] = [appName(base), appName(revision)];
  return before && after && before !== after ? base.replaceAll(before, after) : base;
}

/** Each message's envelope version, read from its payload (an event's is in EventBridge's detail). */
function messageVersions(document: ApiDocument, text: string): Map<string, unknown> {
  if (document !== 'asyncapi') return new Map();
  type Schema = { properties?: Record<string, Schema>; const?: unknown };
  const messages = (parse(text) as { components?: { messages?: Record<string, { payload?: Schema }> } })
    .components?.messages;
  return new Map(
    Object.entries(messages ?? {}).map(([name, message]) => {
      const payload = message.payload?.properties?.detail ?? message.payload;
      return [name, payload?.properties?.version?.const];
    }),
  );
}

function redoclyCli(): string {
  const manifest = createRequire(import.meta.url).resolve('@redocly/cli/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin.redocly ?? 'bin/cli.js');
}

/** Every breaking change of the working tree's documents against `baseRef`'s. */
export function breakingChangesSince(baseRef: string): BreakingChangeReport {
  const report: BreakingChangeReport = { breaking: [], versioned: [] };
  const forkPoint = mergeBase(baseRef);
  for (const document of ['openapi', 'asyncapi'] as const) {
    const base = documentAt(forkPoint, document);
    if (base === undefined) continue;
    const { breaking, versioned } = compareDocuments(
      document,
      base,
      readFileSync(API_DOCUMENTS[document], 'utf8'),
    );
    report.breaking.push(...breaking);
    report.versioned.push(...versioned);
  }
  return report;
}

export function describeChange(change: ApiChange): string {
  return `${change.document} ${change.path}: ${change.message} (${change.rule})`;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { base: { type: 'string' } } });
  const baseRef = values.base ?? defaultBaseRef();
  console.error(
    `Comparing docs/api with ${baseRef} where this branch left it (${mergeBase(baseRef).slice(0, 7)})…`,
  );
  const { breaking, versioned } = breakingChangesSince(baseRef);
  for (const change of versioned)
    console.error(`allowed, its message's version was bumped: ${describeChange(change)}`);
  for (const change of breaking) console.error(`BREAKING: ${describeChange(change)}`);
  console.error(
    breaking.length === 0
      ? 'No breaking change.'
      : `${breaking.length} breaking change(s): keep the field or route, or bump the message's version in libs/contracts.`,
  );
  process.exitCode = breaking.length === 0 ? 0 : 1;
}
