import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagOf, type LocalObjectStore, NoSuchBucketError } from '../s3/object-store.js';
import { escapeXml, sendText } from './http-util.js';

// S3's REST API, path-style (`forcePathStyle`, the AWS CLI with --endpoint-url), as far as reading an archive and
// writing an object need: ListBuckets, ListObjectsV2, GetObject (with a byte Range), HeadObject, PutObject.

const xmlns = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Whether a request on the shared AWS port is for S3: signed for it, or naming a local bucket. */
export function isS3Request(request: IncomingMessage, url: URL, store: LocalObjectStore): boolean {
  if (/\/s3\/aws4_request/.test(String(request.headers.authorization ?? ''))) return true;
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  return bucket !== '' && store.hasBucket(bucket);
}

export async function handleS3(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  response: ServerResponse,
  store: LocalObjectStore,
): Promise<void> {
  const [, bucketPart = '', ...keyParts] = url.pathname.split('/');
  const bucket = decodeURIComponent(bucketPart);
  const key = keyParts.map(decodeURIComponent).join('/');
  const method = request.method ?? 'GET';
  try {
    if (!bucket && method === 'GET') return listBuckets(response, store);
    if (!key && method === 'GET' && url.searchParams.get('list-type') === '2')
      return await listObjectsV2(url.searchParams, bucket, response, store);
    if (!key && method === 'HEAD') {
      if (!store.hasBucket(bucket)) throw new NoSuchBucketError(bucket);
      response.writeHead(200).end();
      return;
    }
    if (key && (method === 'GET' || method === 'HEAD'))
      return await getObject(request, bucket, key, method === 'HEAD', response, store);
    if (key && method === 'PUT') {
      const content = isAwsChunked(request) ? decodeAwsChunked(body) : body;
      await store.putObject(bucket, key, content);
      response.writeHead(200, { etag: etagOf(content), 'content-length': 0 }).end();
      return;
    }
    return s3Error(
      response,
      501,
      'NotImplemented',
      `local S3 does not implement ${method} ${url.pathname}${url.search}`,
    );
  } catch (error) {
    if (error instanceof NoSuchBucketError)
      return s3Error(response, 404, 'NoSuchBucket', 'The specified bucket does not exist', method === 'HEAD');
    throw error;
  }
}

function listBuckets(response: ServerResponse, store: LocalObjectStore): void {
  const buckets = store
    .buckets()
    .map(
      (name) =>
        `<Bucket><Name>${escapeXml(name)}</Name><CreationDate>1970-01-01T00:00:00.000Z</CreationDate></Bucket>`,
    )
    .join('');
  xml(
    response,
    `<ListAllMyBucketsResult xmlns="${xmlns}"><Owner><ID>local</ID></Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
  );
}

async function listObjectsV2(
  params: URLSearchParams,
  bucket: string,
  response: ServerResponse,
  store: LocalObjectStore,
): Promise<void> {
  const prefix = params.get('prefix') ?? '';
  const delimiter = params.get('delimiter') ?? '';
  const maxKeys = Math.min(Number(params.get('max-keys') ?? 1000), 1000);
  const urlEncoded = params.get('encoding-type') === 'url';
  // The continuation token is the last key returned, base64: S3 treats it as opaque.
  const token = params.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : (params.get('start-after') ?? '');
  const entries: { key: string; object?: { size: number; lastModified: Date } }[] = [];
  const seenPrefixes = new Set<string>();
  for (const object of await store.listObjects(bucket, prefix)) {
    const rest = object.key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    const entryKey = cut >= 0 ? object.key.slice(0, prefix.length + cut + delimiter.length) : object.key;
    if (Buffer.compare(Buffer.from(entryKey), Buffer.from(after)) <= 0) continue;
    if (cut >= 0) {
      if (seenPrefixes.has(entryKey)) continue;
      seenPrefixes.add(entryKey);
      entries.push({ key: entryKey });
    } else entries.push({ key: entryKey, object });
  }
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  const encode = (text: string) =>
    escapeXml(urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text);
  // Listing reads no object bytes: its ETag is size and mtime, not the MD5 GetObject and HeadObject give.
  const contents = page
    .map(({ key, object }) =>
      object
        ? `<Contents><Key>${encode(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>&quot;${object.size}-${object.lastModified.getTime()}&quot;</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`
        : `<CommonPrefixes><Prefix>${encode(key)}</Prefix></CommonPrefixes>`,
    )
    .join('');
  const last = page.at(-1)?.key;
  xml(
    response,
    `<ListBucketResult xmlns="${xmlns}"><Name>${escapeXml(bucket)}</Name><Prefix>${encode(prefix)}</Prefix>` +
      (delimiter ? `<Delimiter>${encode(delimiter)}</Delimiter>` : '') +
      (urlEncoded ? '<EncodingType>url</EncodingType>' : '') +
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '') +
      (truncated && last
        ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>`
        : '') +
      `${contents}</ListBucketResult>`,
  );
}

async function getObject(
  request: IncomingMessage,
  bucket: string,
  key: string,
  headOnly: boolean,
  response: ServerResponse,
  store: LocalObjectStore,
): Promise<void> {
  const info = await store.headObject(bucket, key);
  const content = info && (await store.getObject(bucket, key));
  if (!info || !content)
    return s3Error(response, 404, 'NoSuchKey', 'The specified key does not exist.', headOnly);
  const headers = {
    'content-type': 'application/octet-stream',
    etag: etagOf(content),
    'last-modified': info.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ''));
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, content.length - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), content.length - 1) : content.length - 1;
    const slice = content.subarray(start, end + 1);
    response.writeHead(206, {
      ...headers,
      'content-length': slice.length,
      'content-range': `bytes ${start}-${end}/${content.length}`,
    });
    response.end(headOnly ? undefined : slice);
    return;
  }
  response.writeHead(200, { ...headers, 'content-length': content.length });
  response.end(headOnly ? undefined : content);
}

// SDK v3 streams uploads as `aws-chunked` (hex size, optional signature, data; then trailing checksums).
function isAwsChunked(request: IncomingMessage): boolean {
  return (
    String(request.headers['content-encoding'] ?? '').includes('aws-chunked') ||
    String(request.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')
  );
}

function decodeAwsChunked(body: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!size) break;
    chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(chunks);
}

function xml(response: ServerResponse, body: string): void {
  sendText(response, 200, `<?xml version="1.0" encoding="UTF-8"?>\n${body}`, 'application/xml');
}

function s3Error(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headOnly = false,
): void {
  if (headOnly) {
    response.writeHead(status).end();
    return;
  }
  sendText(
    response,
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`,
    'application/xml',
  );
}
