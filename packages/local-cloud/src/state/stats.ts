/** Counters the status line and tests read. */
export class CloudStats {
  readonly messagesByTopic: Record<string, number> = {};
  readonly invocationsByFunction: Record<string, number> = {};
  readonly errorsByFunction: Record<string, number> = {};
  /** Asynchronous events (IoT rule → Lambda) done with: succeeded, or sent on after the last retry. */
  readonly asyncEventsSettledByFunction: Record<string, number> = {};
  refusedPublishes = 0;
  refusedSubscribes = 0;
  refusedConnections = 0;
  ruleErrors = 0;
  streamRecords = 0;
  /** Stream records a function's filterPatterns held back (Lambda event filtering): read, never delivered. */
  streamRecordsFilteredOut = 0;
  httpRequests = 0;

  countMessage(topic: string): void {
    // Charger ids are folded so the counters read per kind of message, not per charger; a Basic Ingest
    // publish counts as the topic its rule sees.
    const key = topic
      .replace(/^\$aws\/rules\/\w+\//, '')
      .replace(/^chargers\/[^/]+\//, 'chargers/+/')
      .replace(/^(\$aws\/events\/presence\/\w+)\/.+$/, '$1/+');
    this.messagesByTopic[key] = (this.messagesByTopic[key] ?? 0) + 1;
  }

  countInvocation(functionId: string, failed: boolean): void {
    this.invocationsByFunction[functionId] = (this.invocationsByFunction[functionId] ?? 0) + 1;
    if (failed) this.errorsByFunction[functionId] = (this.errorsByFunction[functionId] ?? 0) + 1;
  }

  countSettledAsyncEvent(functionId: string): void {
    this.asyncEventsSettledByFunction[functionId] = (this.asyncEventsSettledByFunction[functionId] ?? 0) + 1;
  }

  get invocations(): number {
    return Object.values(this.invocationsByFunction).reduce((sum, count) => sum + count, 0);
  }

  /** Failed function invocations (each retry counts); rule errors are counted apart. */
  get errors(): number {
    return Object.values(this.errorsByFunction).reduce((sum, count) => sum + count, 0);
  }
}
