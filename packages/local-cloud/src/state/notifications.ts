import { randomUUID } from 'node:crypto';
import type { PersistentStore } from './persistence.js';

export interface PublishedNotification {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  /** MessageAttributes as sent: name → { DataType, StringValue }. */
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  publishedAt: string;
}

/** Every SNS Publish the local endpoint accepted. */
export class NotificationStore implements PersistentStore<PublishedNotification[]> {
  private published: PublishedNotification[] = [];
  version = 0;

  snapshot(): PublishedNotification[] {
    return this.published;
  }

  restore(snapshot: PublishedNotification[]): void {
    this.published = snapshot;
  }

  add(notification: Omit<PublishedNotification, 'messageId' | 'publishedAt'>): PublishedNotification {
    const full = { ...notification, messageId: randomUUID(), publishedAt: new Date().toISOString() };
    this.published.push(full);
    this.version++;
    return full;
  }

  /** Newest first. */
  list(): PublishedNotification[] {
    return [...this.published].reverse();
  }

  get count(): number {
    return this.published.length;
  }
}
