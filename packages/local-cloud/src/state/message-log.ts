import { topicMatches } from '../sql/topic-filter.js';

export interface LoggedMessage {
  topic: string;
  clientId: string;
  /** UTF-8 text of the payload (JSON stays JSON text). */
  payload: string;
  at: string;
}

/** The last N broker messages, so a hand-driven client can read downstream replies with curl. */
export class MessageLog {
  private readonly messages: LoggedMessage[] = [];

  constructor(private readonly capacity = 1000) {}

  add(message: LoggedMessage): void {
    this.messages.push(message);
    if (this.messages.length > this.capacity) this.messages.shift();
  }

  /** Newest first; `filter` is an MQTT topic filter (`+`, `#`). */
  list(filter?: string): LoggedMessage[] {
    const all = [...this.messages].reverse();
    return filter ? all.filter((message) => topicMatches(filter, message.topic)) : all;
  }
}
