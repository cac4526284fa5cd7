import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plugEventSchema, statusEventSchema } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';

// The sample events (for `sls invoke local`) are what the IoT rule delivers: they must parse.
const eventsDir = join(import.meta.dirname, '../../events');
const samples = readdirSync(eventsDir).filter((name) => name.endsWith('.json'));
const read = (name: string) => JSON.parse(readFileSync(join(eventsDir, name), 'utf8'));
// A sample's function is its name: status-*.json for `status`, the others for `plug`.
const schemaOf = (name: string) => (name.startsWith('status-') ? statusEventSchema : plugEventSchema);

describe('events/*.json', () => {
  it('has a sample for each plug event kind', () => {
    const kinds = samples.filter((name) => !name.startsWith('status-')).map((name) => read(name).event);
    expect(kinds.sort()).toEqual(['plugged', 'unplugged']);
  });

  it('has a status sample', () => {
    expect(samples.filter((name) => name.startsWith('status-'))).not.toEqual([]);
  });

  it.each(samples)('%s is a valid rule event whose client is the topic charger', (name) => {
    const event = schemaOf(name).parse(read(name));
    expect(event.clientId).toBe(event.chargerId);
  });
});
