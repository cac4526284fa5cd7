import { randomUUID } from 'node:crypto';
import { queueArn } from '../config/local-names.js';
import type { QueueConfig } from '../config/model.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import type { PersistentStore } from '../state/persistence.js';

/** A message in a work queue, as SQS keeps it. */
export interface QueuedMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  /** Not receivable before this (DelaySeconds, then each receive's visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
}

/** SQS's limit for DelaySeconds. */
export const maxDelaySeconds = 900;

/** Thrown for a request SQS would refuse (e.g. DelaySeconds out of range). */
export class InvalidQueueRequestError extends Error {
  override name = 'InvalidQueueRequestError';
}

/**
 * The queues that `sqs` events consume (dead-letter queues stay in the DeadLetterStore). Times are real
 * time, like AWS: a delay or visibility timeout is a time the service chose, not a schedule, so the
 * cloud's time factor does not apply to it.
 */
export class WorkQueues implements PersistentStore<[string, QueuedMessage[]][]> {
  private readonly configs = new Map<string, QueueConfig>();
  private readonly messages = new Map<string, QueuedMessage[]>();
  private readonly listeners = new Set<(queue: string) => void>();
  /** Grows on every send, receive and delete (`--data-dir` writes the queues when it moved). */
  version = 0;

  constructor(private readonly deadLetters: DeadLetterStore) {}

  snapshot(): [string, QueuedMessage[]][] {
    return [...this.messages];
  }

  /** Messages kept by an earlier run: in flight then, they come back when their visibility timeout ends. */
  restore(snapshot: [string, QueuedMessage[]][]): void {
    for (const [queue, messages] of snapshot) {
      this.messages.set(queue, [...messages, ...(this.messages.get(queue) ?? [])]);
    }
  }

  declare(config: QueueConfig): void {
    this.configs.set(config.name, config);
    if (!this.messages.has(config.name)) this.messages.set(config.name, []);
    if (config.redrive) this.deadLetters.ensureQueue(config.redrive.deadLetterQueue);
  }

  has(queue: string): boolean {
    return this.configs.has(queue);
  }

  /** SendMessage: the message's own DelaySeconds, else the queue's. */
  send(
    queue: string,
    body: string,
    attributes: Record<string, string> = {},
    delaySeconds?: number,
    now = Date.now(),
  ): QueuedMessage {
    const config = this.configOf(queue);
    const delay = delaySeconds ?? config.delaySeconds;
    if (!Number.isInteger(delay) || delay < 0 || delay > maxDelaySeconds)
      throw new InvalidQueueRequestError(`DelaySeconds must be 0..${maxDelaySeconds}, got ${delay}`);
    const message: QueuedMessage = {
      messageId: randomUUID(),
      body,
      attributes,
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    this.messages.get(queue)?.push(message);
    this.version++;
    for (const listener of this.listeners) listener(queue);
    return message;
  }

  /**
   * ReceiveMessage: up to maxMessages visible messages, hidden for the visibility timeout. A visible message
   * already received maxReceiveCount times moves to the redrive target instead (as SQS does on receive).
   */
  receive(
    queue: string,
    maxMessages: number,
    visibilityTimeoutS?: number,
    now = Date.now(),
  ): QueuedMessage[] {
    const config = this.configOf(queue);
    const messages = this.messages.get(queue) ?? [];
    const received: QueuedMessage[] = [];
    const before = messages.length;
    for (const message of [...messages]) {
      if (received.length >= maxMessages) break;
      if (message.visibleAt > now) continue;
      if (config.redrive && message.receiveCount >= config.redrive.maxReceiveCount) {
        this.redrive(queue, message, config.redrive, now);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receiptHandle = randomUUID();
      message.visibleAt = now + (visibilityTimeoutS ?? config.visibilityTimeoutS) * 1000;
      received.push({ ...message });
    }
    if (received.length > 0 || messages.length !== before) this.version++;
    return received;
  }

  /** DeleteMessage by the receipt handle of the latest receive; false when it no longer matches. */
  delete(queue: string, receiptHandle: string): boolean {
    const messages = this.messages.get(queue) ?? [];
    const index = messages.findIndex((message) => message.receiptHandle === receiptHandle);
    if (index < 0) return false;
    messages.splice(index, 1);
    this.version++;
    return true;
  }

  /** When the next message becomes receivable (undefined when the queue is empty). */
  nextVisibleAt(queue: string): number | undefined {
    const times = (this.messages.get(queue) ?? []).map((message) => message.visibleAt);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** The receivable messages now, and since when the longest-waiting of them has been receivable. */
  visible(queue: string, now = Date.now()): { count: number; since: number | undefined } {
    const times = (this.messages.get(queue) ?? [])
      .map((message) => message.visibleAt)
      .filter((visibleAt) => visibleAt <= now);
    return { count: times.length, since: times.length > 0 ? Math.min(...times) : undefined };
  }

  /** Messages in the queue, visible or not (ApproximateNumberOfMessages + NotVisible + Delayed). */
  depth(queue: string): number {
    return this.messages.get(queue)?.length ?? 0;
  }

  onSent(listener: (queue: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private configOf(queue: string): QueueConfig {
    const config = this.configs.get(queue);
    if (!config) throw new InvalidQueueRequestError(`queue ${queue} is not a work queue`);
    return config;
  }

  private redrive(
    queue: string,
    message: QueuedMessage,
    redrive: NonNullable<QueueConfig['redrive']>,
    now: number,
  ): void {
    const messages = this.messages.get(queue) ?? [];
    messages.splice(messages.indexOf(message), 1);
    this.deadLetters.add({
      queue: redrive.deadLetterQueue,
      source: 'sqs-redrive',
      reason: `received ${message.receiveCount} times from ${queue} (maxReceiveCount ${redrive.maxReceiveCount})`,
      payload: parsedOrRaw(message.body),
      attempts: message.receiveCount,
      ...(message.firstReceivedAt ? { firstFailureAt: new Date(message.firstReceivedAt).toISOString() } : {}),
      lastFailureAt: new Date(now).toISOString(),
      // The original message, as SQS moves it.
      body: message.body,
      attributes: message.attributes,
      // What SQS adds to a message its redrive policy moved (how `pnpm redrive` finds the source queue).
      systemAttributes: { DeadLetterQueueSourceArn: queueArn(queue) },
    });
  }
}

function parsedOrRaw(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
