import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalCloud } from '../../src/index.js';
import { startProbeCloud } from '../helpers/probe-cloud.js';

// The probe's `queue` function consumes probe-local-work (VisibilityTimeout 1, redrive to probe-local-dead-letters
// after 3 receives). Like SQS, the local cloud marks a message its redrive moved with DeadLetterQueueSourceArn.

let cloud: LocalCloud;
let sqs: SQSClient;
let dlqUrl: string;

beforeAll(async () => {
  cloud = await startProbeCloud();
  sqs = new SQSClient({
    endpoint: cloud.endpoints.aws,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  dlqUrl = `${cloud.endpoints.aws}/000000000000/probe-local-dead-letters`;
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await cloud?.stop();
});

async function receiveDlq(request: { MessageSystemAttributeNames?: ['All'] | ['DeadLetterQueueSourceArn'] }) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      ...request,
    }),
  );
  return Messages;
}

describe('local SQS: DeadLetterQueueSourceArn', () => {
  it('marks a message moved by a RedrivePolicy with its source queue, and returns it when asked', async () => {
    const body = JSON.stringify({ id: randomUUID(), mode: 'fail-always' });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${cloud.endpoints.aws}/000000000000/probe-local-work`,
        MessageBody: body,
        DelaySeconds: 0,
        MessageAttributes: { traceId: { DataType: 'String', StringValue: 't-1' } },
      }),
    );
    await cloud.waitFor(() => cloud.deadLetters().find((letter) => letter.body === body), 15_000);

    const [all] = (await receiveDlq({ MessageSystemAttributeNames: ['All'] })).filter((m) => m.Body === body);
    expect(all?.Attributes).toMatchObject({
      DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:probe-local-work',
      SentTimestamp: expect.stringMatching(/^\d+$/),
      ApproximateReceiveCount: '1',
    });
    expect(all?.MessageAttributes).toEqual({ traceId: { DataType: 'String', StringValue: 't-1' } });

    const [named] = (await receiveDlq({ MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'] })).filter(
      (m) => m.Body === body,
    );
    expect(named?.Attributes).toEqual({
      DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:probe-local-work',
    });
    const [unasked] = (await receiveDlq({})).filter((m) => m.Body === body);
    expect(unasked?.Attributes).toBeUndefined();
  });

  it('does not mark letters a function sent itself', async () => {
    const body = JSON.stringify({ functionName: 'probe-local-x', payload: { id: randomUUID() } });
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body }));
    const [letter] = (await receiveDlq({ MessageSystemAttributeNames: ['All'] })).filter(
      (m) => m.Body === body,
    );
    expect(letter?.Attributes?.DeadLetterQueueSourceArn).toBeUndefined();
    expect(letter?.Attributes?.SentTimestamp).toMatch(/^\d+$/);
  });
});
