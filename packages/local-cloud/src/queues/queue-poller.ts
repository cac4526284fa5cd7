import { createHash } from 'node:crypto';
import { queueArn } from '../config/local-names.js';
import type { QueueSubscription } from '../config/model.js';
import type { InvocationOutcome } from '../lambda/function-worker.js';
import type { QueuedMessage, WorkQueues } from './work-queues.js';

export interface QueuePollerOptions {
  subscription: QueueSubscription;
  queues: WorkQueues;
  invoke: (event: LambdaSqsEvent) => Promise<InvocationOutcome>;
  /** Batches in flight at once (Lambda starts with 5 pollers per mapping). */
  maxConcurrentBatches?: number;
  /** Longest sleep between looks at the queue (a message is normally due at a known time). */
  idleMs?: number;
}

export interface LambdaSqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: Record<string, { stringValue: string; dataType: 'String' }>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface LambdaSqsEvent {
  Records: LambdaSqsRecord[];
}

/**
 * One `sqs` event (an event source mapping): receives up to batchSize visible messages, invokes the function
 * synchronously, deletes what succeeded. A failed invocation leaves the whole batch, and with
 * ReportBatchItemFailures the reported items only, to reappear after the visibility timeout; the queue's
 * RedrivePolicy moves a message received maxReceiveCount times to its dead-letter queue.
 */
export class QueuePoller {
  private stopped = false;
  private inFlight = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: QueuePollerOptions) {}

  start(): void {
    const { queueName } = this.options.subscription;
    this.unsubscribe = this.options.queues.onSent((queue) => {
      if (queue === queueName) this.wake?.();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const { subscription, queues } = this.options;
    const maxBatches = this.options.maxConcurrentBatches ?? 5;
    while (!this.stopped) {
      if (this.inFlight.size >= maxBatches) {
        await this.sleep(Date.now() + (this.options.idleMs ?? 1000)); // a finished batch wakes it
        continue;
      }
      const gatherUntil = this.gatheringUntil();
      if (gatherUntil !== undefined) {
        await this.sleep(gatherUntil);
        continue;
      }
      const messages = queues.receive(subscription.queueName, subscription.batchSize);
      if (messages.length === 0) {
        await this.sleep();
        continue;
      }
      // An invocation that cannot even be made leaves the batch to reappear, as on AWS.
      const delivery = this.deliver(messages)
        .catch(() => undefined)
        .finally(() => {
          this.inFlight.delete(delivery);
          this.wake?.();
        });
      this.inFlight.add(delivery);
    }
  }

  /** With a batching window: when to invoke with a partial batch (undefined: invoke now, or nothing to do). */
  private gatheringUntil(): number | undefined {
    const { queueName, batchSize, batchingWindowMs } = this.options.subscription;
    if (batchingWindowMs <= 0) return undefined;
    const now = Date.now();
    const { count, since } = this.options.queues.visible(queueName, now);
    if (count === 0 || count >= batchSize || since === undefined) return undefined;
    return since + batchingWindowMs > now ? since + batchingWindowMs : undefined;
  }

  /** Until `until` or the next message is due, a send, a finished batch, or idleMs. */
  private sleep(until?: number): Promise<void> {
    const next = until ?? this.options.queues.nextVisibleAt(this.options.subscription.queueName);
    const idleMs = this.options.idleMs ?? 1000;
    const waitMs = next === undefined ? idleMs : Math.min(idleMs, Math.max(1, next - Date.now()));
    return new Promise((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async deliver(messages: QueuedMessage[]): Promise<void> {
    const { subscription, queues } = this.options;
    const outcome = await this.options.invoke(sqsEvent(messages, subscription.queueName));
    const kept = failedMessageIds(outcome, messages, subscription.reportBatchItemFailures);
    for (const message of messages) {
      if (!kept.has(message.messageId) && message.receiptHandle)
        queues.delete(subscription.queueName, message.receiptHandle);
    }
  }
}

/**
 * Lambda's rules: a function error fails the whole batch; with ReportBatchItemFailures the listed items fail,
 * and a response naming an item that is not in the batch (or has no id) fails the whole batch.
 */
export function failedMessageIds(
  outcome: InvocationOutcome,
  messages: QueuedMessage[],
  reportBatchItemFailures: boolean,
): Set<string> {
  const all = new Set(messages.map((message) => message.messageId));
  if (!outcome.ok) return all;
  if (!reportBatchItemFailures) return new Set();
  const failures = (outcome.result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) return new Set();
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

function sqsEvent(messages: QueuedMessage[], queueName: string): LambdaSqsEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.messageId,
      receiptHandle: message.receiptHandle ?? '',
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [
          name,
          { stringValue: value, dataType: 'String' as const },
        ]),
      ),
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn(queueName),
      awsRegion: 'us-east-1',
    })),
  };
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
