import type { LocalCloud } from '@shop/local-cloud/cloud';
import { describe, expect, it } from 'vitest';
import { listFunctions } from '../src/bundles.ts';
import { createScenarios } from '../src/scenarios.ts';

describe('the bench scenarios', () => {
  it('give every function the bench measures a realistic event, so that a new handler cannot stop the run', () => {
    // Only the names are read here: a cloud with no tables and an endpoint nothing is sent to.
    const cloud = {
      model: { tables: [], functions: [] },
      endpoints: { dynamodb: 'http://127.0.0.1:9' },
    } as unknown as LocalCloud;
    const webhookSecret = () => Promise.reject(new Error('No scenario event is made here'));
    const scenarios = Object.keys(createScenarios(cloud, { webhookSecret })).sort();
    expect(scenarios).toEqual(
      listFunctions()
        .map((fn) => fn.handler)
        .sort(),
    );
  });
});
