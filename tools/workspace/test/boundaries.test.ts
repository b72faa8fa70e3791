import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BoundaryReport,
  checkBoundaries,
  describeViolation,
  sourceFiles,
  workspaceRoot,
} from '../src/boundaries.ts';

describe("this repository's module boundaries", () => {
  const files = sourceFiles(workspaceRoot);
  let report: BoundaryReport;

  beforeAll(async () => {
    report = await checkBoundaries(workspaceRoot, files);
  }, 60_000);

  it('reads every source file git knows, so a file the parser cannot read fails the check', () => {
    expect(files.length).toBeGreaterThan(100);
    const read = new Set(report.modules);
    expect(files.filter((file) => !read.has(file))).toEqual([]);
  });

  it('has no import that breaks a boundary rule (.dependency-cruiser.mjs)', () => {
    expect(report.violations.map(describeViolation)).toEqual([]);
  });
});
