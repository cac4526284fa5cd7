import { randomUUID } from 'node:crypto';
import type { PersistentStore } from './persistence.js';

/** Where a dead letter came from. */
export type DeadLetterSource =
  | 'sqs-send' // a function sent it itself (bad input, via the middleware's SQS sink)
  | 'async-on-failure' // async invocation failed after its retries
  | 'stream-on-failure' // a stream batch failed after its retries
  | 'sqs-redrive' // a work queue's message was received maxReceiveCount times (RedrivePolicy)
  | 'rule-error'; // the IoT rule could not evaluate or invoke (errorAction)

export interface DeadLetterRecord {
  id: string;
  queue: string;
  source: DeadLetterSource;
  receivedAt: string;
  functionId?: string;
  ruleName?: string;
  reason: string;
  payload: unknown;
  attempts?: number;
  firstFailureAt?: string;
  lastFailureAt?: string;
  /** The message body as a consumer of the queue would see it. */
  body: string;
  attributes: Record<string, string>;
  /** SQS's own attributes for this message (e.g. DeadLetterQueueSourceArn on a message its redrive moved). */
  systemAttributes?: Record<string, string>;
}

interface QueueMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  systemAttributes: Record<string, string>;
  sentAt: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
  invisibleUntil: number;
  receiveCount: number;
}

export interface DeadLetterSnapshot {
  records: DeadLetterRecord[];
  queues: [string, QueueMessage[]][];
}

/** The local SQS queues (dead-letter queues only) and the log of everything dead-lettered. */
export class DeadLetterStore implements PersistentStore<DeadLetterSnapshot> {
  private records: DeadLetterRecord[] = [];
  private queues = new Map<string, QueueMessage[]>();
  private readonly listeners = new Set<(record: DeadLetterRecord) => void>();
  version = 0;

  snapshot(): DeadLetterSnapshot {
    return { records: this.records, queues: [...this.queues] };
  }

  restore(snapshot: DeadLetterSnapshot): void {
    this.records = snapshot.records;
    this.queues = new Map([...this.queues, ...snapshot.queues]);
  }

  ensureQueue(name: string): void {
    if (!this.queues.has(name)) this.queues.set(name, []);
  }

  hasQueue(name: string): boolean {
    return this.queues.has(name);
  }

  add(
    record: Omit<DeadLetterRecord, 'id' | 'receivedAt' | 'body' | 'attributes'> & {
      body?: string;
      attributes?: Record<string, string>;
    },
  ): DeadLetterRecord {
    const full: DeadLetterRecord = {
      ...record,
      id: randomUUID(),
      receivedAt: new Date().toISOString(),
      body: record.body ?? JSON.stringify(record.payload),
      attributes: record.attributes ?? {},
    };
    this.records.push(full);
    this.version++;
    this.ensureQueue(full.queue);
    this.queues.get(full.queue)?.push({
      messageId: full.id,
      body: full.body,
      attributes: full.attributes,
      systemAttributes: full.systemAttributes ?? {},
      sentAt: Date.parse(full.receivedAt),
      invisibleUntil: 0,
      receiveCount: 0,
    });
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Newest first. */
  list(): DeadLetterRecord[] {
    return [...this.records].reverse();
  }

  onAdded(listener: (record: DeadLetterRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  receive(queue: string, maxMessages: number, visibilityTimeoutS: number): QueueMessage[] {
    const now = Date.now();
    const visible = (this.queues.get(queue) ?? [])
      .filter((message) => message.invisibleUntil <= now)
      .slice(0, maxMessages);
    if (visible.length > 0) this.version++;
    for (const message of visible) {
      message.receiptHandle = randomUUID();
      message.invisibleUntil = now + visibilityTimeoutS * 1000;
      message.receiveCount++;
      message.firstReceivedAt ??= now;
    }
    return visible;
  }

  /** ChangeMessageVisibility: 0 makes a received message visible again at once (the console's redrive of a few). */
  changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutS: number): boolean {
    const message = this.queues.get(queue)?.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (!message) return false;
    message.invisibleUntil = Date.now() + visibilityTimeoutS * 1000;
    this.version++;
    return true;
  }

  delete(queue: string, receiptHandle: string): void {
    const messages = this.queues.get(queue);
    if (!messages) return;
    const index = messages.findIndex((message) => message.receiptHandle === receiptHandle);
    if (index >= 0) {
      messages.splice(index, 1);
      this.version++;
    }
  }
}
