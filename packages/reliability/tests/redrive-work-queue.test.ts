import { randomUUID } from 'node:crypto';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type RedriveOptions, redrive } from '@evcharge/operations';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
// The local cloud's test-only probe service (a work queue with a 1 s visibility timeout and maxReceiveCount 3).
import type { LocalCloud } from '../../local-cloud/src/index.js';
import { startProbeCloud } from '../../local-cloud/tests/helpers/probe-cloud.js';

const sourceArn = 'arn:aws:sqs:us-east-1:000000000000:probe-local-work';
const lines: string[] = [];
const noInvoke: RedriveOptions['invoke'] = async () => {
  throw new Error('a work-queue letter is resent, never invoked');
};

describe('pnpm redrive: work-queue letters against the local cloud', () => {
  let cloud: LocalCloud;
  let sqs: SQSClient;
  let dlqUrl: string;
  const body = JSON.stringify({ id: randomUUID(), mode: 'fail-always' });

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

  const run = (dryRun: boolean, functionFilter?: string) =>
    redrive({
      sqs,
      invoke: noInvoke,
      services: ['probe'],
      stage: 'local',
      dryRun,
      visibilityTimeoutS: 1,
      ...(functionFilter ? { functionFilter } : {}),
      io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
    });

  async function lettersOf(messageBody: string): Promise<Message[]> {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the redrive's own 1 s hiding
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages.filter((message) => message.Body === messageBody);
  }

  it('lists, resends to the source queue, and a message that fails again returns with its redrive count', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${cloud.endpoints.aws}/000000000000/probe-local-work`,
        MessageBody: body,
        DelaySeconds: 0,
        MessageAttributes: { traceId: { DataType: 'String', StringValue: 't-1' } },
      }),
    );
    await cloud.waitFor(() => cloud.deadLetters().find((letter) => letter.body === body), 15_000);

    expect(await run(true)).toMatchObject({ examined: 1, resent: 0 });
    expect(lines.at(-2)).toMatch(/would resend .* queue probe-local-work \(sqs-redrive, .*redriven 0 time/);
    expect(await lettersOf(body)).toHaveLength(1);

    expect(await run(false, 'queue')).toMatchObject({ examined: 1, skipped: 1, resent: 0 });
    expect(await lettersOf(body)).toHaveLength(1);

    expect(await run(false, 'work')).toMatchObject({ examined: 1, resent: 1 });
    expect(await lettersOf(body)).toHaveLength(0);

    // The consumer still fails: the queue's RedrivePolicy brings it back after 3 more receives.
    await cloud.waitFor(
      () => cloud.deadLetters().filter((letter) => letter.body === body).length === 2,
      15_000,
    );
    const [back] = await lettersOf(body);
    expect(back?.Attributes?.DeadLetterQueueSourceArn).toBe(sourceArn);
    expect(back?.MessageAttributes).toEqual({
      traceId: { DataType: 'String', StringValue: 't-1' },
      RedriveCount: { DataType: 'String', StringValue: '1' },
    });
    expect(cloud.deadLetters().find((letter) => letter.body === body)).toMatchObject({ attempts: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await run(true);
    expect(lines.at(-2)).toMatch(/redriven 1 time/);
  }, 45_000);
});

describe('pnpm redrive: a work-queue letter is deleted only after it was sent back', () => {
  // Mocks every SQSClient (the prototype) until restored: created here, after the local-cloud tests ran.
  let sqs: AwsClientStub<SQSClient>;
  beforeAll(() => {
    sqs = mockClient(SQSClient);
  });
  const timersUrl = 'https://sqs/123456789012/metering-prod-meter-request-timers';
  const letter = {
    MessageId: 'm-1',
    ReceiptHandle: 'rh-1',
    Body: '{"sessionId":"s","requestId":"r"}',
    Attributes: {
      DeadLetterQueueSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:metering-prod-meter-request-timers',
      SentTimestamp: '1764057600000',
    },
  };
  const options: RedriveOptions = {
    sqs: new SQSClient({ region: 'eu-west-1' }),
    invoke: noInvoke,
    services: ['metering'],
    stage: 'prod',
    dryRun: false,
    io: { out: () => undefined, err: () => undefined },
  };

  beforeEach(() => {
    sqs.reset();
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'metering-prod-dead-letters' })
      .resolves({ QueueUrl: 'https://sqs/123456789012/metering-prod-dead-letters' })
      .on(GetQueueUrlCommand, {
        QueueName: 'metering-prod-meter-request-timers',
        QueueOwnerAWSAccountId: '123456789012',
      })
      .resolves({ QueueUrl: timersUrl })
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [letter] })
      .resolves({ Messages: [] });
  });

  afterAll(() => sqs.restore());

  it('sends to the queue of the source ARN’s owner, and keeps the letter when the send fails', async () => {
    sqs
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('Access to the resource is denied'), { name: 'AccessDenied' }));
    await expect(redrive(options)).rejects.toThrow('Access to the resource is denied');
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: timersUrl,
      MessageBody: letter.Body,
      DelaySeconds: 0,
      MessageAttributes: { RedriveCount: { DataType: 'Number', StringValue: '1' } },
    });
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('keeps the letter when its source queue is gone', async () => {
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'metering-prod-meter-request-timers' })
      .rejects(
        Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' }),
      );
    expect(await redrive(options)).toMatchObject({ examined: 1, kept: 1, resent: 0 });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('deletes the letter once the send succeeded', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-2' });
    expect(await redrive(options)).toMatchObject({ examined: 1, resent: 1 });
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs/123456789012/metering-prod-dead-letters', ReceiptHandle: 'rh-1' },
    ]);
  });
});
