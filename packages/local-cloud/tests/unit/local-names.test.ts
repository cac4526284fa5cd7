import { describe, expect, it } from '@jest/globals';
import { localizeQueueUrl, queueNameFrom, tableNameFromArn } from '../../src/config/local-names.js';

describe('local resource names', () => {
  const endpoint = 'http://127.0.0.1:45123';
  it.each([
    [
      'https://sqs.us-east-1.amazonaws.com/000000000000/heartbeat-local-dead-letters',
      `${endpoint}/000000000000/heartbeat-local-dead-letters`,
    ],
    [
      'http://127.0.0.1:4566/000000000000/heartbeat-local-dead-letters',
      `${endpoint}/000000000000/heartbeat-local-dead-letters`,
    ],
    ['http://localhost:4566/000000000000/q', `${endpoint}/000000000000/q`],
    ['ev-charging-local', 'ev-charging-local'],
    ['https://example.com/000000000000/q', 'https://example.com/000000000000/q'],
  ])('localizeQueueUrl(%s)', (value, expected) => {
    expect(localizeQueueUrl(value, endpoint)).toBe(expected);
  });

  it('reads queue and table names from ARNs and URLs', () => {
    expect(queueNameFrom('arn:aws:sqs:us-east-1:000000000000:probe-local-dead-letters')).toBe(
      'probe-local-dead-letters',
    );
    expect(queueNameFrom('http://127.0.0.1:4566/000000000000/q1')).toBe('q1');
    expect(
      tableNameFromArn('arn:aws:dynamodb:us-east-1:000000000000:table/ev-charging-local/stream/local'),
    ).toBe('ev-charging-local');
  });
});
