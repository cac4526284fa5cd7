import { randomUUID } from 'node:crypto';

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
export class NotificationStore {
  private readonly published: PublishedNotification[] = [];

  add(notification: Omit<PublishedNotification, 'messageId' | 'publishedAt'>): PublishedNotification {
    const full = { ...notification, messageId: randomUUID(), publishedAt: new Date().toISOString() };
    this.published.push(full);
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
