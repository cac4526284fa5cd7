import { describe, expect, it } from '@jest/globals';
import {
  errorClassOfType,
  failedReplay,
  firstAttemptLetterKey,
  functionNameFrom,
  type InvokePlan,
  letterKey,
  matchesFilter,
  parseQueueArn,
  planReplay,
} from '../../src/redrive/plan.js';

const sentAt = new Date('2026-11-25T08:00:00.000Z');
const event = { messageId: 'm-1', connectorId: 1, event: 'plugged', at: '2026-11-25T07:59:59.000Z' };

describe('planReplay: what to replay for each kind of dead letter', () => {
  it('replays a letter the function wrote itself with its payload and history', () => {
    const body = JSON.stringify({
      functionName: 'plug-events-prod-plug',
      errorClass: 'bad-input',
      field: 'event',
      reason: 'invalid',
      payload: { ...event, chargerId: 'CP-1', clientId: 'CP-1', receivedAt: 1 },
      attempts: 2,
      firstFailureAt: '2026-11-24T00:00:00.000Z',
      lastFailureAt: '2026-11-24T01:00:00.000Z',
    });
    expect(planReplay(body, 'prod', sentAt)).toEqual({
      kind: 'invoke',
      source: 'function-letter',
      functionName: 'plug-events-prod-plug',
      payload: { ...event, chargerId: 'CP-1', clientId: 'CP-1', receivedAt: 1 },
      attempts: 2,
      firstFailureAt: '2026-11-24T00:00:00.000Z',
    });
  });

  it('replays Lambda’s async on-failure record with its requestPayload, to the function in the ARN', () => {
    const body = JSON.stringify({
      version: '1.0',
      timestamp: '2026-11-25T07:00:00.000Z',
      requestContext: {
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:heartbeat-prod-heartbeat:$LATEST',
        approximateInvokeCount: 3,
      },
      requestPayload: { at: 'x' },
    });
    expect(planReplay(body, 'prod', sentAt)).toMatchObject({
      kind: 'invoke',
      source: 'async-on-failure',
      functionName: 'heartbeat-prod-heartbeat',
      payload: { at: 'x' },
      attempts: 3,
      firstFailureAt: '2026-11-25T07:00:00.000Z',
    });
  });

  it('rebuilds the rule SELECT output from an IoT errorAction message', () => {
    const body = JSON.stringify({
      ruleName: 'plug_events_local_plug',
      topic: 'chargers/CP-9/plug',
      clientId: 'CP-9',
      base64OriginalPayload: Buffer.from(JSON.stringify(event)).toString('base64'),
      failures: [{ failedAction: 'LambdaAction', failedResource: 'plug-events.plug', errorMessage: 'x' }],
    });
    expect(planReplay(body, 'local', sentAt)).toEqual({
      kind: 'invoke',
      source: 'rule-error',
      functionName: 'plug-events-local-plug',
      payload: { ...event, chargerId: 'CP-9', clientId: 'CP-9', receivedAt: sentAt.getTime() },
      attempts: 1,
      firstFailureAt: sentAt.toISOString(),
    });
  });

  it('replays a local stream failure with its records, keeps an AWS one (records must be re-read)', () => {
    const base = {
      requestContext: {
        functionArn: 'arn:aws:lambda:r:a:function:notifications-local-notify',
        approximateInvokeCount: 2,
      },
      DDBStreamBatchInfo: { shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2' },
    };
    expect(
      planReplay(JSON.stringify({ ...base, records: [{ eventID: '1' }] }), 'local', sentAt),
    ).toMatchObject({
      kind: 'invoke',
      source: 'stream-on-failure',
      payload: { Records: [{ eventID: '1' }] },
    });
    expect(planReplay(JSON.stringify(base), 'prod', sentAt)).toMatchObject({ kind: 'keep' });
  });

  it('keeps what it cannot understand', () => {
    expect(planReplay('not json', 'local', sentAt)).toMatchObject({ kind: 'keep', why: 'body is not JSON' });
    expect(planReplay('[1]', 'local', sentAt)).toMatchObject({ kind: 'keep' });
    expect(planReplay('{"hello":1}', 'local', sentAt)).toMatchObject({
      kind: 'keep',
      why: 'unknown dead-letter shape',
    });
  });
});

describe('planReplay: a work queue’s message moved by its RedrivePolicy', () => {
  const sourceQueueArn = 'arn:aws:sqs:eu-west-1:123456789012:metering-prod-meter-request-timers';
  const timerBody = JSON.stringify({ sessionId: 's-1', requestId: 'r-1' });

  it('resends the raw body and its message attributes to the queue named by DeadLetterQueueSourceArn', () => {
    const plan = planReplay(timerBody, 'prod', sentAt, {
      Attributes: { DeadLetterQueueSourceArn: sourceQueueArn, ApproximateReceiveCount: '1' },
      MessageAttributes: { traceId: { DataType: 'String', StringValue: 't-1' } },
    });
    expect(plan).toEqual({
      kind: 'resend',
      source: 'sqs-redrive',
      sourceQueueArn,
      queueName: 'metering-prod-meter-request-timers',
      body: timerBody,
      messageAttributes: { traceId: { DataType: 'String', StringValue: 't-1' } },
      redrives: 0,
      firstFailureAt: sentAt.toISOString(),
    });
  });

  it('counts earlier redrives from the RedriveCount attribute it adds when resending', () => {
    const plan = planReplay(timerBody, 'prod', sentAt, {
      Attributes: { DeadLetterQueueSourceArn: sourceQueueArn },
      MessageAttributes: { RedriveCount: { DataType: 'Number', StringValue: '2' } },
    });
    expect(plan).toMatchObject({ kind: 'resend', redrives: 2 });
  });

  it('resends bodies that are not JSON too (the consumer decides)', () => {
    expect(
      planReplay('not json', 'prod', sentAt, { Attributes: { DeadLetterQueueSourceArn: sourceQueueArn } }),
    ).toMatchObject({ kind: 'resend', body: 'not json' });
  });

  it('a known letter format wins over the attribute; without the attribute a raw body is kept', () => {
    const letter = JSON.stringify({ functionName: 'plug-events-prod-plug', payload: { a: 1 } });
    expect(
      planReplay(letter, 'prod', sentAt, { Attributes: { DeadLetterQueueSourceArn: sourceQueueArn } }),
    ).toMatchObject({ kind: 'invoke', source: 'function-letter' });
    expect(planReplay(timerBody, 'prod', sentAt, { Attributes: { SentTimestamp: '1' } })).toMatchObject({
      kind: 'keep',
      why: 'unknown dead-letter shape',
    });
  });

  it('keeps a letter whose source ARN it cannot read', () => {
    expect(
      planReplay(timerBody, 'prod', sentAt, { Attributes: { DeadLetterQueueSourceArn: 'garbage' } }),
    ).toMatchObject({ kind: 'keep' });
  });
});

describe('helpers', () => {
  it('reads account and queue name from an SQS ARN', () => {
    expect(parseQueueArn('arn:aws:sqs:us-east-1:000000000000:probe-local-work')).toEqual({
      accountId: '000000000000',
      queueName: 'probe-local-work',
    });
    expect(parseQueueArn('arn:aws:lambda:us-east-1:000000000000:function:x')).toBeUndefined();
  });

  it('names functions from ARNs and local ids', () => {
    expect(functionNameFrom('arn:aws:lambda:r:1:function:a-b-c:$LATEST', 'prod')).toBe('a-b-c');
    expect(functionNameFrom('charge-authorization.authorize', 'local')).toBe(
      'charge-authorization-local-authorize',
    );
  });

  it('classifies thrown error types', () => {
    expect(errorClassOfType('ProvisionedThroughputExceededException: slow down')).toBe('transient');
    expect(errorClassOfType('TypeError: x is undefined')).toBe('bug');
  });
});

describe('errorClassOfType: the edge package’s transient list, by name', () => {
  it.each([
    ['TransactionConflictException', 'Transaction is ongoing for the item'],
    ['TransientError', 'reserve still racing after 5 attempts'],
    ['ThrottlingException', 'Rate exceeded'],
    ['TimeoutError', 'socket hang up'],
    ['Error', 'connect ECONNREFUSED 127.0.0.1:8000'],
  ])('%s (%s) is transient', (errorType, errorMessage) => {
    expect(errorClassOfType(errorType, errorMessage)).toBe('transient');
  });

  it.each([
    ['TypeError', "Cannot read properties of undefined (reading 'x')"],
    ['ConditionalCheckFailedException', 'The conditional request failed'],
    ['ValidationException', 'One or more parameter values were invalid'],
  ])('%s is a bug', (errorType, errorMessage) => {
    expect(errorClassOfType(errorType, errorMessage)).toBe('bug');
  });
});

describe('failedReplay: the letter a replay leaves behind', () => {
  const plan: InvokePlan = {
    kind: 'invoke',
    source: 'function-letter',
    functionName: 'plug-events-prod-plug',
    payload: { a: 1 },
    attempts: 2,
    firstFailureAt: '2026-11-24T00:00:00.000Z',
  };
  const failedAt = '2026-11-25T09:00:00.000Z';

  it('leaves nothing when the function succeeded', () => {
    expect(failedReplay(plan, { payload: { ok: true } }, failedAt)).toBeUndefined();
    expect(failedReplay(plan, { payload: undefined }, failedAt)).toBeUndefined();
  });

  it('a thrown TransientError goes back as transient, with its history', () => {
    const result = {
      functionError: 'Unhandled',
      payload: { errorType: 'TransientError', errorMessage: 'table busy' },
    };
    expect(failedReplay(plan, result, failedAt)).toEqual({
      letter: {
        functionName: 'plug-events-prod-plug',
        errorClass: 'transient',
        reason: 'TransientError: table busy',
        payload: { a: 1 },
        attempts: 3,
        firstFailureAt: '2026-11-24T00:00:00.000Z',
        lastFailureAt: failedAt,
      },
      supersedes: false,
    });
  });

  it('a thrown bug keeps its type; without an error payload the function error names it', () => {
    expect(
      failedReplay(plan, { functionError: 'Unhandled', payload: { errorType: 'TypeError' } }, failedAt),
    ).toMatchObject({ letter: { errorClass: 'bug', reason: 'TypeError: ' } });
    expect(failedReplay(plan, { functionError: 'Unhandled', payload: 'x' }, failedAt)).toMatchObject({
      letter: { errorClass: 'bug', reason: 'Unhandled: ' },
    });
  });

  it('bad input again supersedes the function’s own letter; an unknown class counts as bad input', () => {
    const rejected = { rejected: true, errorClass: 'spoof', field: 'clientId', reason: 'not its topic' };
    expect(failedReplay(plan, { payload: rejected }, failedAt)).toMatchObject({
      letter: { errorClass: 'spoof', field: 'clientId', reason: 'not its topic', attempts: 3 },
      supersedes: true,
    });
    expect(failedReplay(plan, { payload: { ...rejected, errorClass: 'odd' } }, failedAt)).toMatchObject({
      letter: { errorClass: 'bad-input' },
    });
  });
});

describe('filters and superseded letters', () => {
  it('matches --function by full or short name', () => {
    expect(matchesFilter('plug-events-prod-plug', undefined)).toBe(true);
    expect(matchesFilter('plug-events-prod-plug', 'plug')).toBe(true);
    expect(matchesFilter('plug-events-prod-plug', 'plug-events-prod-plug')).toBe(true);
    expect(matchesFilter('plug-events-prod-plug', 'lug')).toBe(false);
  });

  it('keys only a first-attempt letter the function wrote, by function and payload', () => {
    const letter = { functionName: 'f', payload: { a: 1 }, attempts: 1 };
    expect(firstAttemptLetterKey(JSON.stringify(letter))).toBe(letterKey('f', { a: 1 }));
    expect(firstAttemptLetterKey(JSON.stringify({ ...letter, attempts: 2 }))).toBeUndefined();
    expect(firstAttemptLetterKey('not json')).toBeUndefined();
  });
});
