import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

// The local S3: bucket `b`'s key `k` is the file `<root>/<b>/<k>`, so the analytics CLI (DuckDB) reads the
// objects as plain files, with no metadata beside them.

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** Thrown for a bucket no service declares (S3's NoSuchBucket). */
export class NoSuchBucketError extends Error {
  override name = 'NoSuchBucket';
}

// Partial writes live here until renamed into place, so a reader never sees half an object.
const partialDir = '.partial';

export class LocalObjectStore {
  constructor(
    readonly root: string,
    private readonly bucketNames: string[],
  ) {
    for (const bucket of bucketNames) mkdirSync(join(root, bucket), { recursive: true });
  }

  buckets(): string[] {
    return [...this.bucketNames];
  }

  hasBucket(bucket: string): boolean {
    return this.bucketNames.includes(bucket);
  }

  async putObject(bucket: string, key: string, body: Buffer): Promise<void> {
    const path = this.pathOf(bucket, key);
    const partial = join(this.root, partialDir, randomUUID());
    await mkdir(dirname(partial), { recursive: true });
    await writeFile(partial, body);
    await mkdir(dirname(path), { recursive: true });
    await rename(partial, path);
  }

  /** The object's bytes, or undefined when there is no such key. */
  async getObject(bucket: string, key: string): Promise<Buffer | undefined> {
    return readFile(this.pathOf(bucket, key)).catch(() => undefined);
  }

  async headObject(bucket: string, key: string): Promise<StoredObject | undefined> {
    const info = await stat(this.pathOf(bucket, key)).catch(() => undefined);
    return info?.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
  }

  /** Every key under `prefix`, in S3's order (UTF-8 binary). */
  async listObjects(bucket: string, prefix = ''): Promise<StoredObject[]> {
    const bucketDir = this.pathOf(bucket, '');
    const objects: StoredObject[] = [];
    // Only the directories the prefix can reach are read.
    const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) {
          const key = relative(bucketDir, path).split(sep).join('/');
          if (!key.startsWith(prefix)) continue;
          const info = await stat(path);
          objects.push({ key, size: info.size, lastModified: info.mtime });
        }
      }
    };
    await walk(join(bucketDir, start));
    return objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  private pathOf(bucket: string, key: string): string {
    if (!this.hasBucket(bucket))
      throw new NoSuchBucketError(`The specified bucket does not exist: ${bucket}`);
    // A key may not climb out of its bucket's directory.
    if (key.split('/').some((segment) => segment === '..'))
      throw new RangeError(`key ${key}: '..' segments are not supported locally`);
    return join(this.root, bucket, key);
  }
}

/** S3's ETag of a single-part object: the MD5 of its bytes, quoted. */
export function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}
