import type { TemplateResolver } from './intrinsics.ts';
import type { ArchiveModel } from './local-model.ts';

/**
 * An `AWS::Events::Archive`: the bus whose events it keeps (SourceArn), which of them (EventPattern,
 * all when absent) and for how long (RetentionDays; absent or 0, indefinitely). Its ARN is the
 * bus's region and account with `archive/<name>`, as EventBridge names it.
 */
export function readArchive(resolver: TemplateResolver, logicalId: string): ArchiveModel {
  const props = resolver.properties(logicalId);
  const sourceArn = resolver.resolveString(props.SourceArn, `${logicalId}.SourceArn`);
  const name =
    props.ArchiveName === undefined
      ? `${resolver.stack.stackName}-${logicalId}`.slice(0, 48)
      : resolver.resolveString(props.ArchiveName, `${logicalId}.ArchiveName`);
  const arn = sourceArn.replace(/:event-bus\/.*$/, `:archive/${name}`);
  return {
    name,
    arn,
    sourceArn,
    ...(typeof props.EventPattern === 'object' && props.EventPattern !== null
      ? { pattern: props.EventPattern as Record<string, unknown> }
      : {}),
    ...(props.RetentionDays !== undefined ? { retentionDays: Number(props.RetentionDays) } : {}),
    ...(typeof props.Description === 'string' ? { description: props.Description } : {}),
  };
}
