import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/**
 * The text of each entry of a zip whose name matches `names` (read with zlib from the central directory, so
 * no unzip tool is needed): what `sls package` put in a function's artifact. Empty when it is not a zip.
 */
export function readZipTextEntries(zipPath: string, names: RegExp): Map<string, string> {
  const zip = readFileSync(zipPath);
  const entries = new Map<string, string>();
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) return entries;
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  for (let index = 0; index < count; index++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (names.test(name)) {
      const dataStart =
        localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      entries.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
