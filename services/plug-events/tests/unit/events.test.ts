import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plugEventSchema } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';

// The sample events (for `sls invoke local`) are what the IoT rule delivers: they must parse.
const eventsDir = join(import.meta.dirname, '../../events');
const samples = readdirSync(eventsDir).filter((name) => name.endsWith('.json'));

describe('events/*.json', () => {
  it('has a sample for each plug event kind', () => {
    const kinds = samples.map((name) => JSON.parse(readFileSync(join(eventsDir, name), 'utf8')).event);
    expect(kinds.sort()).toEqual(['plugged', 'unplugged']);
  });

  it.each(samples)('%s is a valid rule event whose client is the topic charger', (name) => {
    const event = plugEventSchema.parse(JSON.parse(readFileSync(join(eventsDir, name), 'utf8')));
    expect(event.clientId).toBe(event.chargerId);
  });
});
