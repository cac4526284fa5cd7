import type { DeliveryStreamConfig } from '../config/model.js';
import { DeliveryStream, type DeliveryStreamOptions } from './delivery-stream.js';

export { DeliveryStream, objectName } from './delivery-stream.js';

/** Thrown for a PutRecord to a delivery stream no service declares (Firehose's ResourceNotFoundException). */
export class DeliveryStreamNotFoundError extends Error {
  override name = 'ResourceNotFoundException';
}

/** The local Firehose: every declared delivery stream, by name. */
export interface LocalFirehose {
  has: (name: string) => boolean;
  putRecord: (name: string, data: Buffer) => void;
  /** Delivers every buffered record now. */
  flush: () => Promise<void>;
  /** Flushes, so a clean stop loses nothing. */
  stop: () => Promise<void>;
}

export async function startFirehose(
  configs: DeliveryStreamConfig[],
  options: DeliveryStreamOptions,
): Promise<LocalFirehose> {
  const streams = new Map(
    await Promise.all(
      configs.map(async (config) => [config.name, await DeliveryStream.create(config, options)] as const),
    ),
  );
  const flush = async () => {
    await Promise.all([...streams.values()].map((stream) => stream.flush()));
  };
  return {
    has: (name) => streams.has(name),
    putRecord: (name, data) => {
      const stream = streams.get(name);
      if (!stream) throw new DeliveryStreamNotFoundError(`Firehose ${name} not found`);
      stream.putRecord(data);
    },
    flush,
    stop: flush,
  };
}
