/**
 * The fields of a state machine, of each state type, and of its retriers, catchers and choice rules
 * that aws-local-stepfunctions runs as AWS does: a definition with any other is refused, since the
 * library would ignore it and run something different from what AWS runs.
 */
export const COMMON_FIELDS = ['Type', 'Comment', 'Next', 'End', 'QueryLanguage'];
const IO_FIELDS = ['InputPath', 'OutputPath'];
export const STATE_FIELDS: Record<string, string[]> = {
  Task: [
    ...IO_FIELDS,
    'Resource',
    'Parameters',
    'ResultSelector',
    'ResultPath',
    'Retry',
    'Catch',
    'TimeoutSeconds',
    'HeartbeatSeconds',
  ],
  Pass: [...IO_FIELDS, 'Parameters', 'Result', 'ResultPath'],
  Choice: [...IO_FIELDS, 'Choices', 'Default'],
  Wait: [...IO_FIELDS, 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'],
  Succeed: IO_FIELDS,
  Fail: ['Error', 'Cause', 'ErrorPath', 'CausePath'],
  Parallel: [...IO_FIELDS, 'Branches', 'Parameters', 'ResultSelector', 'ResultPath', 'Retry', 'Catch'],
  Map: [
    ...IO_FIELDS,
    'ItemProcessor',
    'Iterator',
    'ItemsPath',
    'ItemSelector',
    'Parameters',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ResultSelector',
    'ResultPath',
    'Retry',
    'Catch',
  ],
};
export const MACHINE_FIELDS = ['StartAt', 'States', 'Comment', 'Version', 'TimeoutSeconds', 'QueryLanguage'];
export const NESTED_MACHINE_FIELDS = ['StartAt', 'States', 'Comment', 'ProcessorConfig'];
export const RETRIER_FIELDS = [
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
];
export const CATCHER_FIELDS = ['ErrorEquals', 'Next', 'ResultPath', 'Comment'];
const CHOICE_OPERATORS = [
  ...['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'].flatMap((op) => [
    `String${op}`,
    `String${op}Path`,
    `Numeric${op}`,
    `Numeric${op}Path`,
    `Timestamp${op}`,
    `Timestamp${op}Path`,
  ]),
  'StringMatches',
  'BooleanEquals',
  'BooleanEqualsPath',
  'IsNull',
  'IsPresent',
  'IsNumeric',
  'IsString',
  'IsBoolean',
  'IsTimestamp',
];
export const CHOICE_RULE_FIELDS = ['Variable', 'Next', 'And', 'Or', 'Not', 'Comment', ...CHOICE_OPERATORS];
/** JSONata and variables: aws-local-stepfunctions ignores them, so a definition using them runs wrong. */
const JSONATA_FIELDS = ['Arguments', 'Output', 'Items', 'Condition'];

/** What is wrong with each field of `object` not among `allowed`, said so the author can fix it. */
export function fieldProblems(
  object: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
): string[] {
  return Object.keys(object)
    .filter((field) => !allowed.includes(field))
    .map((field) => {
      if (field === 'Assign')
        return `${where}: Assign (variables) is not supported by aws-local-stepfunctions`;
      if (JSONATA_FIELDS.includes(field)) {
        return `${where}: ${field} is a JSONata field, which aws-local-stepfunctions ignores`;
      }
      return `${where}: the field ${field} is not supported locally`;
    });
}
