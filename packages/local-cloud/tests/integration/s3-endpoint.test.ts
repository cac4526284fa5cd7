import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AwsServer, startAwsServer } from '../../src/aws/aws-server.js';
import { LocalObjectStore } from '../../src/s3/object-store.js';
import { DeadLetterStore } from '../../src/state/dead-letters.js';
import { NotificationStore } from '../../src/state/notifications.js';

// The local S3 on the AWS port, with the real @aws-sdk/client-s3 (path-style) and, when installed, the AWS CLI.

const execFileAsync = promisify(execFile);
const bucket = 'archive-000000000000-us-east-1';
let root: string;
let server: AwsServer;
let s3: S3Client;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 's3-endpoint-'));
  const store = new LocalObjectStore(root, [bucket, 'other']);
  server = await startAwsServer({
    port: 0,
    notifications: new NotificationStore(),
    deadLetters: new DeadLetterStore(),
    topicArns: new Set(),
    publishToBroker: async () => undefined,
    cloudFormation: { exports: () => ({}), stacks: () => [] },
    messages: () => [],
    stats: () => ({}),
    objectStore: () => store,
  });
  s3 = new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const key of [
    'archive/kind=meter/day=2026-12-06/a.gz',
    'archive/kind=meter/day=2026-12-06/b.gz',
    'archive/kind=status/c.gz',
    'top.txt',
  ])
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the local S3 endpoint', () => {
  it('keeps bucket b key k at <root>/b/k, where the analytics CLI reads it', () => {
    expect(readFileSync(join(root, bucket, 'archive/kind=status/c.gz'), 'utf8')).toBe(
      'body of archive/kind=status/c.gz',
    );
  });

  it('lists buckets and objects (ListObjectsV2: prefix, delimiter, pages)', async () => {
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
      bucket,
      'other',
    ]);
    const folders = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'archive/', Delimiter: '/' }),
    );
    expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toEqual([
      'archive/kind=meter/',
      'archive/kind=status/',
    ]);
    expect(folders.Contents ?? []).toEqual([]);
    const first = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'archive/kind=', MaxKeys: 2 }),
    );
    expect(first.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      ['archive/kind=meter/day=2026-12-06/a.gz', 46],
      ['archive/kind=meter/day=2026-12-06/b.gz', 46],
    ]);
    expect(first.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: 'archive/kind=',
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(rest.Contents?.map((o) => o.Key)).toEqual(['archive/kind=status/c.gz']);
    expect(rest.IsTruncated).toBe(false);
  });

  it('reads an object whole or by range, heads it, and answers NoSuchKey / NoSuchBucket', async () => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'top.txt' }));
    expect(await object.Body?.transformToString()).toBe('body of top.txt');
    const range = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'top.txt', Range: 'bytes=8-10' }),
    );
    expect(await range.Body?.transformToString()).toBe('top');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'top.txt' }));
    expect(head.ContentLength).toBe(15);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });

  it('takes a streamed PutObject (the SDK sends it aws-chunked, with a trailing checksum)', async () => {
    const body = Buffer.from('streamed '.repeat(1000));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'other',
        Key: 'streamed.txt',
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    expect(readFileSync(join(root, 'other', 'streamed.txt')).equals(body)).toBe(true);
  });

  it('serves the AWS CLI (aws s3 ls / cp with --endpoint-url)', async () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    // Asynchronously: the server answering it runs in this process.
    const aws = (...args: string[]) =>
      execFileAsync('aws', ['--endpoint-url', server.endpoint, ...args], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
    const listed = await aws('s3', 'ls', '--recursive', `s3://${bucket}/archive/`).catch(
      (error: NodeJS.ErrnoException) => error,
    );
    if ('code' in listed && listed.code === 'ENOENT') return; // no AWS CLI here: the SDK tests above stand for it
    const { stdout } = listed as { stdout: string };
    expect(stdout).toContain('archive/kind=meter/day=2026-12-06/a.gz');
    expect(stdout.trim().split('\n')).toHaveLength(3);
    expect((await aws('s3', 'cp', `s3://${bucket}/top.txt`, '-')).stdout).toBe('body of top.txt');
  }, 60_000);
});
