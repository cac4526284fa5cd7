import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, Socket } from 'node:net';
import { type Message, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createMeterRequest, getConnector, getMeterRequest, listConnectorHistory } from '@evcharge/dynamo';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { httpInvoke, type Invoke, type RedriveReport, redrive } from '@evcharge/operations';
import { registerChargerLocally } from '@evcharge/operator-cli';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
// The redrive CLI is not re-exported by @evcharge/operator-cli's index (yet): imported by path.
import { runRedriveCli } from '../../operator-cli/src/cli/redrive-command.js';

const chargerId = 'CP-REDRIVE-1';
const queueName = 'plug-events-local-dead-letters';
let cloud: LocalCloud;
let sqs: SQSClient;
let queueUrl: string;
let invoke: Invoke;
let password: string;
let dynamo: StallProxy;
const lines: string[] = [];

interface StallProxy {
  url: string;
  /** pass: a plain proxy; stall: connections are accepted and never answered; reset: they are refused. */
  setMode: (mode: 'pass' | 'stall' | 'reset') => void;
  stalled: () => number;
  close: () => Promise<void>;
}

/** A TCP proxy in front of DynamoDB Local that can make calls hang (until the function times out) or fail. */
async function startStallProxy(target: string): Promise<StallProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let mode: 'pass' | 'stall' | 'reset' = 'pass';
  let stalled = 0;
  const held = new Set<Socket>();
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'reset') return client.resetAndDestroy();
    if (mode === 'stall') {
      stalled++;
      held.add(client);
      return;
    }
    open.add(client);
    client.on('close', () => open.delete(client));
    const upstream = new Socket();
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.connect(Number(port), hostname, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setMode: (next) => {
      // Kept-alive connections would still reach DynamoDB: a fault starts from fresh connections (stalled
      // ones stay stalled until the function times out).
      if (next !== 'pass') for (const socket of open) socket.destroy();
      mode = next;
    },
    stalled: () => stalled,
    close: async () => {
      for (const socket of [...open, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const plugPayload = (connectorId: number, event: string, messageId = randomUUID()) => ({
  messageId,
  connectorId,
  event,
  at: new Date().toISOString(),
});

function run(
  options: { dryRun?: boolean; functionFilter?: string; visibilityTimeoutS?: number } = {},
): Promise<RedriveReport> {
  return redrive({
    sqs,
    invoke,
    services: ['plug-events'],
    stage: 'local',
    dryRun: options.dryRun ?? false,
    ...(options.visibilityTimeoutS ? { visibilityTimeoutS: options.visibilityTimeoutS } : {}),
    ...(options.functionFilter ? { functionFilter: options.functionFilter } : {}),
    io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
  });
}

/** The queue's letters, left visible (visibility 0), after the redrive's own 1 s hiding of what it wrote. */
async function peek(): Promise<{ body: Record<string, unknown>; message: Message }[]> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  return Messages.map((message) => ({
    body: JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
    message,
  }));
}

beforeAll(async () => {
  dynamo = await startStallProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '');
  cloud = await startLocalCloud({
    services: ['plug-events', 'metering'],
    ports: { mqtt: 0, aws: 0, http: 0 },
    dynamodbEndpoint: dynamo.url,
    tableName: `redrive-${randomUUID().slice(0, 8)}`,
    quiet: true,
  });
  sqs = new SQSClient({
    endpoint: cloud.endpoints.aws,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queueUrl = `${cloud.endpoints.aws}/000000000000/${queueName}`;
  // Lambda Invoke on the local cloud's AWS port: the function runs in its own worker, as any invocation.
  invoke = httpInvoke(cloud.endpoints.aws);
  ({ password } = await registerChargerLocally(cloud.table, {
    chargerId,
    connectorCount: 3,
    now: new Date(),
  }));
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
  await dynamo?.close();
});

describe('pnpm redrive against the local cloud', () => {
  let badLetterFirstFailureAt = '';
  const onFailurePayload = {
    ...plugPayload(1, 'plugged'),
    chargerId,
    clientId: chargerId,
    receivedAt: Date.now(),
  };

  it('finds dead letters of every shape: the function’s own, async on-failure, rule error', async () => {
    const client = await mqtt.connectAsync(cloud.endpoints.mqttUrl, {
      clientId: chargerId,
      username: chargerId,
      password,
      reconnectPeriod: 0,
    });
    await client.publishAsync(`chargers/${chargerId}/plug`, JSON.stringify(plugPayload(3, 'sideways')), {
      qos: 1,
    });
    await client.endAsync();
    const [bad] = await cloud.waitFor(async () => {
      const letters = await peek();
      return letters.length === 1 ? letters : undefined;
    }, 10_000);
    expect(bad?.body).toMatchObject({ errorClass: 'bad-input', field: 'event', attempts: 1 });
    badLetterFirstFailureAt = String(bad?.body.firstFailureAt);

    // What Lambda's on-failure destination and the rule's errorAction would have written.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: {
            functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:plug-events-local-plug:$LATEST',
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: onFailurePayload,
          responsePayload: { errorMessage: 'ProvisionedThroughputExceededException' },
        }),
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          ruleName: 'plug_events_local_plug',
          topic: `chargers/${chargerId}/plug`,
          clientId: chargerId,
          base64OriginalPayload: Buffer.from(JSON.stringify(plugPayload(2, 'plugged'))).toString('base64'),
          failures: [
            { failedAction: 'LambdaAction', failedResource: 'plug-events.plug', errorMessage: 'throttled' },
          ],
        }),
      }),
    );
    expect(await peek()).toHaveLength(3);
  });

  it('--dry-run lists what it would replay and changes nothing', async () => {
    const report = await run({ dryRun: true });
    expect(report).toMatchObject({ examined: 3, replayed: 0, failedAgain: 0 });
    expect(lines.filter((line) => line.includes('would replay'))).toHaveLength(3);
    expect((await getConnector(cloud.table, chargerId, 1))?.plugged).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the dry run's short visibility timeout
    expect(await peek()).toHaveLength(3);
  });

  it('--function of another function leaves every letter alone', async () => {
    const report = await run({ functionFilter: 'authorize', visibilityTimeoutS: 1 });
    expect(report).toMatchObject({ examined: 3, replayed: 0, skipped: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await peek()).toHaveLength(3);
  });

  it('replays the fixable ones and sends the bad one back once, with its history', async () => {
    const report = await run({ functionFilter: 'plug' });
    expect(report).toMatchObject({ examined: 3, replayed: 2, failedAgain: 1 });
    expect((await getConnector(cloud.table, chargerId, 1))?.plugged).toBe(true);
    expect((await getConnector(cloud.table, chargerId, 2))?.plugged).toBe(true);
    const remaining = await peek();
    expect(remaining).toHaveLength(1);
    expect(remaining[0]?.body).toMatchObject({
      functionName: 'plug-events-local-plug',
      errorClass: 'bad-input',
      field: 'event',
      attempts: 2,
      firstFailureAt: badLetterFirstFailureAt,
    });
  });

  it('a letter that fails again keeps counting; a replayed duplicate is applied once', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          functionName: 'plug-events-local-plug',
          errorClass: 'transient',
          reason: 'replayed twice on purpose',
          payload: onFailurePayload,
          attempts: 1,
          firstFailureAt: new Date().toISOString(),
          lastFailureAt: new Date().toISOString(),
        }),
      }),
    );
    const report = await run();
    expect(report).toMatchObject({ replayed: 1, failedAgain: 1 });
    const remaining = await peek();
    expect(remaining.map(({ body }) => body.attempts)).toEqual([3]);
    expect(remaining[0]?.body.firstFailureAt).toBe(badLetterFirstFailureAt);
    const history = await listConnectorHistory(cloud.table, chargerId, 1);
    expect(history.events.filter((event) => event.messageId === onFailurePayload.messageId)).toHaveLength(1);
    console.log(
      `reliability: redrive\n  ${lines.filter((line) => line.startsWith('redrive:')).join('\n  ')}`,
    );
  });

  it('pnpm redrive (the CLI) replays through the local cloud endpoints from the environment', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          functionName: 'plug-events-local-plug',
          errorClass: 'transient',
          reason: 'replayed by the CLI',
          payload: { ...plugPayload(3, 'plugged'), chargerId, clientId: chargerId, receivedAt: Date.now() },
          attempts: 1,
          firstFailureAt: new Date().toISOString(),
          lastFailureAt: new Date().toISOString(),
        }),
      }),
    );
    const out: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, cloud.env);
    try {
      const code = await runRedriveCli(['--service', 'plug-events', '--function', 'plug'], {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
      });
      expect(code).toBe(0);
    } finally {
      for (const key of Object.keys(cloud.env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    expect(out.at(-1)).toMatch(/replayed=1 failed-again=1/);
    expect((await getConnector(cloud.table, chargerId, 3))?.plugged).toBe(true);
  });
});

describe('pnpm redrive: a meter-request timer its queue dead-lettered', () => {
  const timerQueue = 'metering-local-meter-request-timers';
  const consumer = 'metering-local-meterRequestTimer';
  const sessionId = randomUUID();
  const requestId = randomUUID();
  const timerBody = JSON.stringify({ sessionId, requestId });
  const timerQueueUrl = () => `${cloud.endpoints.aws}/000000000000/${timerQueue}`;

  const sendTimer = (body: string) =>
    sqs.send(new SendMessageCommand({ QueueUrl: timerQueueUrl(), MessageBody: body, DelaySeconds: 0 }));

  /** Lambda's SQS event for one received message, as the event source mapping builds it. */
  const sqsEvent = (message: Message) => ({
    Records: [
      {
        messageId: message.MessageId,
        receiptHandle: message.ReceiptHandle,
        body: message.Body,
        attributes: message.Attributes ?? {},
        messageAttributes: {},
        md5OfBody: message.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${timerQueue}`,
        awsRegion: 'us-east-1',
      },
    ],
  });

  it('the consumer fails maxReceiveCount (5) times: the local SQS moves the raw timer to the DLQ', async () => {
    await createMeterRequest(
      cloud.table,
      {
        requestId,
        sessionId,
        chargerId,
        connectorId: 1,
        userId: 'user-redrive',
        status: 'pending',
        requestedAt: new Date().toISOString(),
      },
      // Far off: the scheduled sweeper (the backstop) must not resolve it behind the redrive's back.
      Date.now() + 3_600_000,
    );
    // The queue's visibility timeout is 60 s: five failed deliveries by the event source would take five
    // minutes. So the event source is kept busy (its 5 concurrent batches hang on a stalled DynamoDB until
    // the function's 10 s timeout) and this test receives the timer itself with a zero visibility timeout
    // and hands it to the real consumer, which fails on a DynamoDB that refuses connections.
    dynamo.setMode('stall');
    for (let blocker = 1; blocker <= 5; blocker++) {
      await sendTimer(JSON.stringify({ sessionId: randomUUID(), requestId: randomUUID() }));
      await cloud.waitFor(() => dynamo.stalled() >= blocker, 5_000);
    }
    dynamo.setMode('reset');
    await sendTimer(timerBody);
    const failures: unknown[] = [];
    for (let receive = 1; receive <= 10; receive++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: timerQueueUrl(),
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const timer = Messages.find((message) => message.Body === timerBody);
      if (!timer) break;
      const outcome = await invoke(consumer, sqsEvent(timer));
      failures.push(outcome.payload);
    }
    expect(failures).toEqual(
      Array.from({ length: 5 }, () => ({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] })),
    );
    const letter = cloud.deadLetters().find((record) => record.body === timerBody);
    expect(letter).toMatchObject({
      source: 'sqs-redrive',
      queue: 'metering-local-dead-letters',
      attempts: 5,
    });
    expect((await peekQueue('metering-local-dead-letters')).map((message) => message.Attributes)).toEqual([
      expect.objectContaining({
        DeadLetterQueueSourceArn: `arn:aws:sqs:us-east-1:000000000000:${timerQueue}`,
      }),
    ]);
  }, 30_000);

  it('after the fix, redrive sends it back through its queue and the request resolves exactly once', async () => {
    dynamo.setMode('pass');
    const runMetering = (dryRun: boolean, functionFilter?: string) =>
      redrive({
        sqs,
        invoke,
        services: ['metering'],
        stage: 'local',
        dryRun,
        visibilityTimeoutS: 1,
        ...(functionFilter ? { functionFilter } : {}),
        io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
      });
    expect(await runMetering(false, 'plug')).toMatchObject({ resent: 0, skipped: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await runMetering(true, 'meter-request-timers')).toMatchObject({ resent: 0, examined: 1 });
    expect(lines.filter((line) => line.includes('would resend'))).toHaveLength(1);
    expect((await getMeterRequest(cloud.table, sessionId, requestId))?.status).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    const fixedAt = new Date().toISOString();
    const report = await runMetering(false, 'meter-request-timers');
    expect(report).toMatchObject({ examined: 1, resent: 1, kept: 0 });
    // The event source takes it once its stalled batches time out (≤ 10 s), and the consumer resolves it.
    const resolved = await cloud.waitFor(async () => {
      const request = await getMeterRequest(cloud.table, sessionId, requestId);
      return request?.status === 'unavailable' ? request : undefined;
    }, 20_000);
    expect(resolved.resolvedAt! >= fixedAt).toBe(true);
    // Consumed once: the timer left its queue (the 5 blockers remain, in flight) and the DLQ stays empty.
    await cloud.waitFor(() => cloud.queueDepth(timerQueue) === 5, 5_000);
    expect(await peekQueue('metering-local-dead-letters')).toEqual([]);
    expect((await getMeterRequest(cloud.table, sessionId, requestId))?.resolvedAt).toBe(resolved.resolvedAt);
    console.log(
      `reliability: redrive (work queue)\n  timer dead-lettered after 5 failed receives; ${lines.filter((line) => line.startsWith('redrive:')).at(-1)}\n  meter request resolved once (unavailable at ${resolved.resolvedAt})`,
    );
  }, 30_000);
});

async function peekQueue(name: string): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: `${cloud.endpoints.aws}/000000000000/${name}`,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
}
