import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';

/**
 * What the local stage's synthesis reads, as one hash: a synthesized assembly whose inputs hash the
 * same is the one synth would write again, so `npm start` reuses it. The inputs are the CDK app
 * (infra's sources, cdk.json, its manifest and the script that runs the CLI), the bundles it stages
 * (apps/<service>/dist/<handler>/), the contracts infra imports (event and command names make
 * rules), the synth's arguments, and the versions that change what it writes.
 */
export interface SynthInputs {
  repositoryRoot: string;
  /** The CLI's arguments that shape the output, e.g. `['-c', 'stage=local']`. */
  synthArguments: readonly string[];
  /** The tools' versions by name (`toolVersions()`). */
  versions: Record<string, string>;
}

/** Folders read whole (their tests excepted) and single files, relative to the repository. */
const SOURCE_FOLDERS = ['infra/bin', 'infra/src', 'libs/contracts/src'];
const SOURCE_FILES = ['infra/cdk.json', 'infra/package.json', 'infra/scripts/cdk.ts'];

/** Whether synth reads this file (a path relative to the repository, with `/`): bundles aside. */
export function isSynthSource(path: string): boolean {
  if (path.endsWith('.test.ts')) return false;
  return SOURCE_FILES.includes(path) || SOURCE_FOLDERS.some((folder) => path.startsWith(`${folder}/`));
}

export function synthInputsHash(inputs: SynthInputs): string {
  const root = inputs.repositoryRoot;
  const files = [
    ...SOURCE_FOLDERS.flatMap((folder) => filesUnder(join(root, folder))).filter(
      (file) => !file.endsWith('.test.ts'),
    ),
    ...SOURCE_FILES.map((file) => join(root, file)).filter((file) => existsSync(file)),
    ...bundleFolders(root).flatMap((folder) => filesUnder(folder)),
  ];
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ synthArguments: inputs.synthArguments, versions: inputs.versions }));
  for (const file of files.map((each) => relative(root, each).split(sep).join('/')).sort()) {
    hash.update(`\n${file}\n`);
    hash.update(
      createHash('sha256')
        .update(readFileSync(join(root, file)))
        .digest('hex'),
    );
  }
  return hash.digest('hex');
}

/** Node's version and the CDK's, as infra resolves them. */
export function toolVersions(repositoryRoot: string): Record<string, string> {
  const fromInfra = createRequire(join(repositoryRoot, 'infra/package.json'));
  const versionOf = (name: string) =>
    (JSON.parse(readFileSync(fromInfra.resolve(`${name}/package.json`), 'utf8')) as { version: string })
      .version;
  return {
    node: process.version,
    'aws-cdk-lib': versionOf('aws-cdk-lib'),
    'aws-cdk': versionOf('aws-cdk'),
    constructs: versionOf('constructs'),
  };
}

/** apps/<service>/dist/<handler>: what Code.fromAsset stages (dist/meta.json is the build's report). */
function bundleFolders(root: string): string[] {
  const apps = join(root, 'apps');
  if (!existsSync(apps)) return [];
  return readdirSync(apps, { withFileTypes: true })
    .filter((app) => app.isDirectory())
    .map((app) => join(apps, app.name, 'dist'))
    .filter((dist) => existsSync(dist))
    .flatMap((dist) =>
      readdirSync(dist, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(dist, entry.name)),
    );
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
