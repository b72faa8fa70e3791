import { afterAll, describe, expect, it } from 'vitest';
import { localModelOf } from '../fixtures/local-cloud-app.ts';
import { JOBS_MAPPING_PARAMETER, synthesizeQueueConsumerStack } from '../fixtures/queue-consumer-stack.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/** The templates' SQS event source mappings, with the UUIDs Lambda would make up derived instead. */
const folders = temporaryFolders();
afterAll(() => folders.removeAll());

function synthesizedModel() {
  const outdir = folders.make('event-source-mapping-template-');
  synthesizeQueueConsumerStack(outdir);
  return localModelOf(outdir);
}

describe('the event source mappings of a template', () => {
  it('get the same UUID at every synth, which their Ref resolves to and their ARN names', () => {
    const first = synthesizedModel();
    const again = synthesizedModel();
    const [jobs, backlog] = first.eventSourceMappings;

    expect(again.eventSourceMappings.map((mapping) => mapping.uuid)).toEqual(
      first.eventSourceMappings.map((mapping) => mapping.uuid),
    );
    expect(jobs?.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(backlog?.uuid).not.toBe(jobs?.uuid);
    expect(first.ssmParameters.get(JOBS_MAPPING_PARAMETER)).toBe(jobs?.uuid);
    expect(jobs?.arn).toBe(`arn:aws:lambda:eu-west-1:000000000000:event-source-mapping:${jobs?.uuid}`);
  });

  it('keep a mapping declared with Enabled: false, disabled', () => {
    const model = synthesizedModel();

    expect(model.eventSourceMappings.map(({ functionName, enabled }) => [functionName, enabled])).toEqual([
      ['consumers-test-worker', true],
      ['consumers-test-archiver', false],
    ]);
  });
});
