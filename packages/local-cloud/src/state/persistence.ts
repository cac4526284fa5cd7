import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A store whose content survives a restart: a change counter, what to write, and how to take it back. */
export interface PersistentStore<Snapshot> {
  /** Grows on every change, so an unchanged store is never serialised again. */
  readonly version: number;
  snapshot(): Snapshot;
  restore(snapshot: Snapshot): void;
}

/**
 * `--data-dir`: each store is kept as one JSON file beside DynamoDB Local's own database, written atomically
 * (write, then rename) within a second of a change and once more at stop, and read back at start.
 */
export class DataDir {
  private readonly stores = new Map<string, { store: PersistentStore<unknown>; written: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {
    mkdirSync(path, { recursive: true });
  }

  /** `--reset`: empties the directory first. */
  static reset(path: string): void {
    rmSync(path, { recursive: true, force: true });
  }

  get dynamodbPath(): string {
    const path = join(this.path, 'dynamodb');
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** Whether this directory held a cloud before (a restart, not a first start). */
  get hadState(): boolean {
    return existsSync(join(this.path, 'dynamodb', 'shared-local-instance.db'));
  }

  /** Restores `store` from its file (if any) and keeps it written from now on. */
  track<Snapshot>(name: string, store: PersistentStore<Snapshot>): void {
    const file = this.fileOf(name);
    if (existsSync(file)) store.restore(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
    this.stores.set(name, { store: store as PersistentStore<unknown>, written: store.version });
    this.timer ??= setInterval(() => this.flush(), 1_000).unref();
  }

  flush(): void {
    for (const [name, entry] of this.stores) {
      if (entry.store.version === entry.written) continue;
      const version = entry.store.version;
      const partial = `${this.fileOf(name)}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(entry.store.snapshot()));
      renameSync(partial, this.fileOf(name));
      entry.written = version;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }

  private fileOf(name: string): string {
    return join(this.path, `${name}.json`);
  }
}
