import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { servicesDir } from './templates.js';

/**
 * The handler code `sls package` put in `services/<svc>/.serverless/<fn>.zip` (its .mjs/.js entries,
 * concatenated), read with zlib: what would run on Lambda. Undefined when the zip is missing.
 */
export function shippedHandlerSource(service: string, functionName: string): string | undefined {
  const zipPath = join(servicesDir, service, '.serverless', `${functionName}.zip`);
  if (!existsSync(zipPath)) return undefined;
  const zip = readFileSync(zipPath);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) return undefined;
  const entries = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const sources: string[] = [];
  for (let index = 0; index < entries; index++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (/\.m?js$/.test(name)) {
      const dataStart =
        localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      sources.push((method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return sources.join('\n');
}
