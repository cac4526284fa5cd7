import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { registerChargerLocally } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import type { LocalCloud } from '../../src/index.js';
import { startProbeCloud } from '../helpers/probe-cloud.js';
import { importServiceDependency } from '../helpers/sdk-from-services.js';

// The services' SDK clients, typed only as far as these tests use them (local-cloud does not depend on them).
interface SdkClient {
  send: (command: unknown) => Promise<{ MessageId?: string }>;
  destroy: () => void;
}
interface SnsModule {
  SNSClient: new (config: object) => SdkClient;
  PublishCommand: new (input: object) => unknown;
}
interface IotDataModule {
  IoTDataPlaneClient: new (config: object) => SdkClient;
  PublishCommand: new (input: object) => unknown;
}

let cloud: LocalCloud;
const credentials = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const topicArn = 'arn:aws:sns:us-east-1:000000000000:ev-charging-notifications-local';

beforeAll(async () => {
  cloud = await startProbeCloud();
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('SNS endpoint with the real @aws-sdk/client-sns', () => {
  it('accepts Publish with message attributes and lists it newest first', async () => {
    const { SNSClient, PublishCommand } = await importServiceDependency<SnsModule>('@aws-sdk/client-sns');
    const sns = new SNSClient({ ...credentials, endpoint: cloud.endpoints.aws });
    const first = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify({ type: 'session.authorized' }),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: 'session.authorized' },
          userId: { DataType: 'String', StringValue: 'user-1' },
        },
      }),
    );
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'second' }));
    expect(first.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const listed = (await (await fetch(`${cloud.endpoints.aws}/_local/notifications`)).json()) as {
      message: string;
      messageId: string;
      attributes: Record<string, unknown>;
    }[];
    expect(listed[0]?.message).toBe('second');
    expect(listed[1]).toMatchObject({
      messageId: first.MessageId,
      attributes: {
        type: { DataType: 'String', StringValue: 'session.authorized' },
        userId: { DataType: 'String', StringValue: 'user-1' },
      },
    });
    sns.destroy();
  });

  it('has the operator alerts topic the dead-letter alarms notify (from the storage stack)', async () => {
    const { SNSClient, PublishCommand } = await importServiceDependency<SnsModule>('@aws-sdk/client-sns');
    const sns = new SNSClient({ ...credentials, endpoint: cloud.endpoints.aws });
    const alerts = 'arn:aws:sns:us-east-1:000000000000:ev-charging-operator-alerts-local';
    const sent = await sns.send(new PublishCommand({ TopicArn: alerts, Message: 'ALARM probe' }));
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(cloud.notifications()[0]).toMatchObject({ topicArn: alerts, message: 'ALARM probe' });
    sns.destroy();
  });

  it('rejects a topic that does not exist with NotFound', async () => {
    const { SNSClient, PublishCommand } = await importServiceDependency<SnsModule>('@aws-sdk/client-sns');
    const sns = new SNSClient({ ...credentials, endpoint: cloud.endpoints.aws });
    await expect(
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    sns.destroy();
  });
});

describe('CloudFormation ListExports (what Fn::ImportValue resolves to locally)', () => {
  it("lists every export the storage stack's Outputs declare, resolved to the local resources", async () => {
    const response = await fetch(cloud.endpoints.aws, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListExports&Version=2010-05-15',
    });
    const xml = await response.text();
    const exports = Object.fromEntries(
      [...xml.matchAll(/<Name>([^<]+)<\/Name><Value>([^<]+)<\/Value>/g)].map((match) => [match[1], match[2]]),
    );
    const table = cloud.table.tableName;
    expect(exports).toEqual({
      'ev-charging-local-TableName': table,
      'ev-charging-local-TableArn': `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`,
      'ev-charging-local-TableStreamArn': `arn:aws:dynamodb:us-east-1:000000000000:table/${table}/stream/local`,
      'ev-charging-local-NotificationsTopicArn': topicArn,
      'ev-charging-local-OperatorAlertsTopicArn':
        'arn:aws:sns:us-east-1:000000000000:ev-charging-operator-alerts-local',
    });
  });
});

describe('SQS dead-letter endpoint with the real @aws-sdk/client-sqs', () => {
  it('sends, receives and deletes on a declared queue; the letter is inspectable', async () => {
    const sqs = new SQSClient({ ...credentials, endpoint: cloud.endpoints.aws });
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/000000000000/probe-local-dead-letters';
    const letter = {
      functionName: 'probe-local-echo',
      errorClass: 'bad-input',
      reason: 'field x missing',
      payload: { x: 1 },
    };
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: { errorClass: { DataType: 'String', StringValue: 'bad-input' } },
      }),
    );
    expect(sent.MessageId).toBeDefined();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'probe-local-dead-letters' }));
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    expect(received.Messages?.map((message) => JSON.parse(message.Body ?? '{}'))).toContainEqual(letter);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages?.[0]?.ReceiptHandle }),
    );
    const listed = (await (await fetch(`${cloud.endpoints.aws}/_local/dead-letters`)).json()) as {
      source: string;
      reason: string;
      functionId: string;
    }[];
    expect(listed[0]).toMatchObject({
      source: 'sqs-send',
      reason: 'field x missing',
      functionId: 'probe.echo',
    });
    sqs.destroy();
  });

  it('rejects an undeclared queue', async () => {
    const sqs = new SQSClient({ ...credentials, endpoint: cloud.endpoints.aws });
    await expect(
      sqs.send(
        new SendMessageCommand({ QueueUrl: `${cloud.endpoints.aws}/000000000000/nope`, MessageBody: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    sqs.destroy();
  });
});

describe('IoT data-plane endpoint with the real @aws-sdk/client-iot-data-plane', () => {
  it('Publish reaches a charger subscribed on the broker', async () => {
    const { IoTDataPlaneClient, PublishCommand } = await importServiceDependency<IotDataModule>(
      '@aws-sdk/client-iot-data-plane',
    );
    const { username, password } = await registerChargerLocally(cloud.table, {
      chargerId: 'CP-DATA-1',
      connectorCount: 1,
      now: new Date(),
    });
    const client = await mqtt.connectAsync(cloud.endpoints.mqttUrl, {
      clientId: username,
      username,
      password,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync('chargers/CP-DATA-1/auth/response', { qos: 1 });
    const received = new Promise<string>((resolve) =>
      client.on('message', (_topic, payload) => resolve(payload.toString())),
    );
    const iot = new IoTDataPlaneClient({ ...credentials, endpoint: cloud.endpoints.aws });
    await iot.send(
      new PublishCommand({
        topic: 'chargers/CP-DATA-1/auth/response',
        qos: 1,
        payload: Buffer.from('{"status":"Accepted"}'),
      }),
    );
    expect(await received).toBe('{"status":"Accepted"}');
    const logged = (await (
      await fetch(
        `${cloud.endpoints.aws}/_local/messages?topic=${encodeURIComponent('chargers/+/auth/response')}`,
      )
    ).json()) as { topic: string; payload: string }[];
    expect(logged[0]).toMatchObject({
      topic: 'chargers/CP-DATA-1/auth/response',
      payload: '{"status":"Accepted"}',
    });
    await client.endAsync();
    iot.destroy();
  });
});
