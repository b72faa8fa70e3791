import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../src/eventbridge/event-pattern.ts';

// The example event of the EventBridge user guide and of aws/event-ruler's README.
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });

type Case = [name: string, pattern: object, event: object, expected: boolean];

const cases: Case[] = [
  // Exact values: OR within a field, AND across fields.
  [
    'the user guide simple pattern matches the example event',
    {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    },
    ec2Event,
    true,
  ],
  [
    'any listed value of a field matches',
    { detail: { state: ['initializing', 'running'] } },
    withDetail({ state: 'initializing' }),
    true,
  ],
  [
    'a value outside the list does not match',
    { detail: { state: ['initializing', 'running'] } },
    withDetail({ state: 'stopped' }),
    false,
  ],
  ['every field must match (AND)', { source: ['aws.ec2'], 'detail-type': ['Other'] }, ec2Event, false],
  ['a field the event lacks does not match an exact value', { detail: { missing: ['x'] } }, ec2Event, false],
  [
    'an event array matches when it intersects the pattern values (arrays page)',
    {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    },
    {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    true,
  ],
  [
    'an event array with no common value does not match',
    { resources: ['arn:a'] },
    { resources: ['arn:b', 'arn:c'] },
    false,
  ],
  // Null and empty strings are distinct (null values page).
  [
    '[null] matches a null value',
    { detail: { responseElements: [null] } },
    withDetail({ responseElements: null }),
    true,
  ],
  [
    '[""] matches an empty string',
    { detail: { eventVersion: [''] } },
    withDetail({ eventVersion: '' }),
    true,
  ],
  [
    '[""] does not match null',
    { detail: { responseElements: [''] } },
    withDetail({ responseElements: null }),
    false,
  ],
  ['[null] does not match a missing field', { detail: { responseElements: [null] } }, withDetail({}), false],
  // Types are strict.
  ['the number 5 matches the number 5', { detail: { n: [5] } }, withDetail({ n: 5 }), true],
  ['the number 5 does not match the string "5"', { detail: { n: [5] } }, withDetail({ n: '5' }), false],
  ['the string "5" does not match the number 5', { detail: { n: ['5'] } }, withDetail({ n: 5 }), false],
  ['numbers compare by value (300 matches 3.0e2)', { detail: { n: [300] } }, withDetail({ n: 3.0e2 }), true],
  ['true matches the boolean true', { detail: { flag: [true] } }, withDetail({ flag: true }), true],
  [
    'true does not match the string "true"',
    { detail: { flag: [true] } },
    withDetail({ flag: 'true' }),
    false,
  ],
  // Nested objects and arrays of objects.
  [
    'nested objects match field by field',
    { detail: { state: { status: ['running'] } } },
    withDetail({ state: { status: 'running' } }),
    true,
  ],
  [
    'a nested pattern does not match a leaf value',
    { detail: { state: { status: ['running'] } } },
    ec2Event,
    false,
  ],
  [
    'a nested pattern matches one object of an event array (ruler README)',
    { employees: { firstName: ['Anna'] } },
    {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
    },
    true,
  ],
  [
    'fields from different array elements are never combined',
    { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    {
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    },
    false,
  ],
  [
    'nested arrays of objects are searched too',
    { employees: { firstName: ['Peter'] } },
    { employees: [[{ firstName: 'John' }], [{ firstName: 'Peter' }]] },
    true,
  ],
  // prefix and suffix.
  ['prefix matches the start of a string', { time: [{ prefix: '2017-10-02' }] }, ec2Event, true],
  ['prefix does not match another start', { time: [{ prefix: '2017-10-03' }] }, ec2Event, false],
  ['prefix is case sensitive', { source: [{ prefix: 'AWS.' }] }, ec2Event, false],
  ['prefix never matches a number', { detail: { n: [{ prefix: '5' }] } }, withDetail({ n: 5 }), false],
  [
    'prefix with equals-ignore-case ignores case',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    withDetail({ service: 'eventbridge' }),
    true,
  ],
  [
    'prefix with equals-ignore-case still needs the prefix',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    withDetail({ service: 'Bridge' }),
    false,
  ],
  ['suffix matches the end of a string', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
  ['suffix is case sensitive', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' }, false],
  [
    'suffix with equals-ignore-case ignores case',
    { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] },
    { FileName: 'image.PNG' },
    true,
  ],
  // anything-but.
  [
    'anything-but a string matches another string',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    ec2Event,
    true,
  ],
  [
    'anything-but a string does not match that string',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    withDetail({ state: 'initializing' }),
    false,
  ],
  [
    'anything-but a number matches another number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    ec2Event,
    true,
  ],
  [
    'anything-but a number does not match it',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    withDetail({ 'x-limit': 123 }),
    false,
  ],
  [
    'anything-but a list of strings excludes each of them',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    withDetail({ state: 'overloaded' }),
    false,
  ],
  [
    'anything-but a list of strings matches a value outside it',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    ec2Event,
    true,
  ],
  [
    'anything-but a list of numbers matches a value outside it',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    ec2Event,
    true,
  ],
  [
    'anything-but a list of numbers excludes each of them',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    withDetail({ 'x-limit': 300 }),
    false,
  ],
  [
    'anything-but a prefix matches another start',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    ec2Event,
    true,
  ],
  [
    'anything-but a prefix excludes that start',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    withDetail({ state: 'initializing' }),
    false,
  ],
  [
    'anything-but a suffix excludes that end',
    { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    { FileName: 'a.png' },
    false,
  ],
  [
    'anything-but a suffix matches another end',
    { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    { FileName: 'a.jpg' },
    true,
  ],
  [
    'anything-but equals-ignore-case excludes every casing',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    withDetail({ state: 'INITIALIZING' }),
    false,
  ],
  [
    'anything-but a wildcard excludes what the wildcard matches',
    { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    { FilePath: '/usr/lib/libc.so' },
    false,
  ],
  [
    'anything-but a wildcard matches what it does not',
    { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    { FilePath: '/usr/bin/env' },
    true,
  ],
  [
    'anything-but never matches a missing field',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    withDetail({}),
    false,
  ],
  [
    'anything-but matches an event array when one element is not excluded',
    { detail: { state: [{ 'anything-but': 'stopped' }] } },
    withDetail({ state: ['stopped', 'running'] }),
    true,
  ],
  [
    'anything-but does not match an event array whose elements are all excluded',
    { detail: { state: [{ 'anything-but': 'stopped' }] } },
    withDetail({ state: ['stopped'] }),
    false,
  ],
  // numeric.
  [
    'numeric ranges match the user guide example',
    {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    ec2Event,
    true,
  ],
  [
    'numeric ">" excludes its bound',
    { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    withDetail({ 'c-count': 0 }),
    false,
  ],
  [
    'numeric "<=" includes its bound',
    { detail: { 'c-count': [{ numeric: ['>=', 5] }] } },
    withDetail({ 'c-count': 5 }),
    true,
  ],
  [
    'numeric above the range does not match',
    { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    withDetail({ 'c-count': 6 }),
    false,
  ],
  [
    'numeric never matches a numeric string',
    { detail: { 'c-count': [{ numeric: ['>', 0] }] } },
    withDetail({ 'c-count': '5' }),
    false,
  ],
  // exists.
  ['exists true matches a present field', { detail: { state: [{ exists: true }] } }, ec2Event, true],
  [
    'exists true does not match a missing field',
    { detail: { state: [{ exists: true }] } },
    withDetail({ 'c-count': { c1: 100 } }),
    false,
  ],
  [
    'exists true matches a null value (null is a value)',
    { detail: { state: [{ exists: true }] } },
    withDetail({ state: null }),
    true,
  ],
  [
    'exists false matches a missing field',
    { detail: { 'c-count': [{ exists: false }] } },
    withDetail({ state: 'running' }),
    true,
  ],
  [
    'exists false does not match a present field',
    { detail: { 'c-count': [{ exists: false }] } },
    ec2Event,
    false,
  ],
  [
    'exists false matches a field holding an object, which is not a leaf',
    { detail: { 'c-count': [{ exists: false }] } },
    withDetail({ state: 'running', 'c-count': { c1: 100 } }),
    true,
  ],
  [
    'exists false matches when the parent object is missing',
    { detail: { 'c-count': [{ exists: false }] } },
    { source: 'aws.ec2' },
    true,
  ],
  [
    'exists true does not match when the parent object is missing',
    { detail: { 'c-count': [{ exists: true }] } },
    { source: 'aws.ec2' },
    false,
  ],
  // equals-ignore-case and wildcard.
  [
    'equals-ignore-case matches any casing',
    { Name: [{ 'equals-ignore-case': 'alice' }] },
    { Name: 'ALICE' },
    true,
  ],
  [
    'equals-ignore-case still compares the whole value',
    { Name: [{ 'equals-ignore-case': 'alice' }] },
    { Name: 'Alicia' },
    false,
  ],
  [
    'wildcard * matches a run of characters',
    { source: [{ wildcard: 'Simple*Service' }] },
    { source: 'SimpleQueueService' },
    true,
  ],
  [
    'wildcard * matches nothing as well',
    { source: [{ wildcard: 'Simple*Service' }] },
    { source: 'SimpleService' },
    true,
  ],
  [
    'wildcard anchors both ends',
    { source: [{ wildcard: 'Simple*Service' }] },
    { source: 'SimpleQueue' },
    false,
  ],
  ['an escaped \\* matches a literal star only', { key: [{ wildcard: 'a\\*b' }] }, { key: 'axb' }, false],
  ['an escaped \\* matches the star', { key: [{ wildcard: 'a\\*b' }] }, { key: 'a*b' }, true],
  // $or.
  [
    '$or matches when one branch matches (source AND (metricName OR namespace))',
    {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    { source: 'aws.cloudwatch', namespace: 'AWS/EC2' },
    true,
  ],
  [
    '$or does not match when no branch matches',
    {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    { source: 'aws.cloudwatch', namespace: 'AWS/Lambda' },
    false,
  ],
  [
    '$or stays ANDed with the other fields',
    { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] },
    { source: 'aws.ec2', metricName: 'CPUUtilization' },
    false,
  ],
  [
    'a nested $or inside an $or branch (ruler README)',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1000 },
    true,
  ],
  [
    '$or inside a nested object applies at that level',
    { detail: { $or: [{ state: ['pending'] }, { 'c-count': [5] }] } },
    ec2Event,
    true,
  ],
  // cidr.
  [
    'cidr matches an IPv4 address inside the network',
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    ec2Event,
    true,
  ],
  [
    'cidr does not match an address outside the network',
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    withDetail({ 'source-ip': '10.0.1.1' }),
    false,
  ],
  ['cidr matches IPv6 networks', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::1' }, true],
  // The complex example of the user guide.
  [
    'the user guide complex example matches the example event',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    },
    ec2Event,
    true,
  ],
];

describe('matchesEventPattern', () => {
  it.each(cases)('%s', (_name, pattern, event, expected) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  it('mixes exact values and operators in one field as alternatives', () => {
    const pattern = { detail: { state: ['stopped', { prefix: 'run' }] } };
    expect(matchesEventPattern(pattern, ec2Event)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ state: 'pending' }))).toBe(false);
  });

  it('refuses to match with an invalid pattern instead of silently never matching', () => {
    expect(() => matchesEventPattern({ source: [{ contains: 'ec2' }] }, ec2Event)).toThrow(
      InvalidEventPatternError,
    );
  });
});

type InvalidCase = [name: string, pattern: unknown, message: RegExp];

const invalid: InvalidCase[] = [
  ['a pattern that is not an object', [], /the pattern must be a JSON object/],
  ['an empty pattern', {}, /empty objects are not allowed/],
  ['an empty nested object', { detail: {} }, /"detail": empty objects/],
  ['a field value that is not an array', { source: 'aws.ec2' }, /"source": must be an object .* or an array/],
  ['an empty array', { source: [] }, /"source": empty arrays/],
  ['an array inside the values', { source: [['a']] }, /a match value must be/],
  [
    'an unknown operator, named',
    { detail: { type: [{ contains: 'x' }] } },
    /"detail.type": unsupported operator "contains"/,
  ],
  ['an operator object with two keys', { s: [{ prefix: 'a', suffix: 'b' }] }, /exactly one key/],
  ['a prefix that is not a string', { s: [{ prefix: 5 }] }, /prefix must be a string/],
  [
    'a prefix object other than equals-ignore-case',
    { s: [{ prefix: { wildcard: 'a*' } }] },
    /equals-ignore-case/,
  ],
  ['exists with a non-boolean', { s: [{ exists: 'yes' }] }, /exists must be true or false/],
  ['numeric that is not an array', { n: [{ numeric: '>5' }] }, /numeric must be an array/],
  ['an unknown numeric operator', { n: [{ numeric: ['!=', 1] }] }, /unknown numeric operator "!="/],
  ['a numeric bound that is not a number', { n: [{ numeric: ['>', '1'] }] }, /must be a number/],
  ['two lower bounds', { n: [{ numeric: ['>', 1, '>', 2] }] }, /lower bound .* followed by an upper bound/],
  [
    'an upper bound before a lower bound',
    { n: [{ numeric: ['<', 10, '>', 5] }] },
    /lower bound .* followed by an upper bound/,
  ],
  ['a range whose bounds are inverted', { n: [{ numeric: ['>', 10, '<', 5] }] }, /lower bound must be below/],
  [
    'a numeric bound beyond AWS limits',
    { n: [{ numeric: ['<', 6e9] }] },
    /between -5000000000 and 5000000000/,
  ],
  [
    'an anything-but list mixing types',
    { s: [{ 'anything-but': ['a', 1] }] },
    /only strings or only numbers/,
  ],
  ['an anything-but null', { s: [{ 'anything-but': null }] }, /anything-but takes/],
  [
    'an anything-but prefix list',
    { s: [{ 'anything-but': { prefix: ['a', 'b'] } }] },
    /anything-but prefix must be a string/,
  ],
  ['an empty anything-but prefix', { s: [{ 'anything-but': { prefix: '' } }] }, /must not be empty/],
  [
    'an unknown anything-but operator',
    { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
    /unsupported anything-but operator/,
  ],
  ['consecutive wildcards', { s: [{ wildcard: 'a**b' }] }, /consecutive \*/],
  ['a backslash escaping another character', { s: [{ wildcard: 'a\\b' }] }, /may only escape/],
  ['an invalid cidr', { ip: [{ cidr: '10.0.0.0/33' }] }, /cidr must be an IPv4 or IPv6 network/],
  ['$or with one branch', { $or: [{ a: [1] }] }, /"\$or": must be an array of at least 2 objects/],
  ['$or with a non-object branch', { $or: [{ a: [1] }, 'b'] }, /at least 2 objects/],
  ['an operator name used as a field inside $or', { $or: [{ prefix: ['a'] }, { b: [1] }] }, /operator name/],
];

describe('validateEventPattern', () => {
  it.each(invalid)('refuses %s', (_name, pattern, message) => {
    expect(() => validateEventPattern(pattern)).toThrow(InvalidEventPatternError);
    expect(() => validateEventPattern(pattern)).toThrow(message);
  });

  it('accepts every pattern of the user guide examples', () => {
    for (const [, pattern] of cases) expect(() => validateEventPattern(pattern)).not.toThrow();
  });
});
