import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { EventStreamSerde, eventStreamSerdeProvider } from '../../src/lambda-event-streams.js';

// The stand-in for @smithy/core/event-streams in shipped bundles (serverless.common.yml esbuild alias).

describe('lambda event streams (left out of the bundles whose commands have none)', () => {
  it('fails loudly, naming why, if an event-stream operation reaches it anyway', () => {
    expect(() => eventStreamSerdeProvider()).toThrow(/event-stream operations are not bundled/);
    expect(() => new EventStreamSerde()).toThrow(/lambda-event-streams/);
  });

  it('is what the shared esbuild block aliases the SDK submodule to, and the variant for other clients does not', () => {
    const common = readFileSync(join(import.meta.dirname, '../../../../serverless.common.yml'), 'utf8');
    const [shared, withEventStreams] = common.split(/^esbuildWithEventStreams:$/m);
    expect(shared).toMatch(
      /^ {4}'@smithy\/core\/event-streams': '@evcharge\/middleware\/lambda-event-streams'$/m,
    );
    expect(withEventStreams?.split(/^\S/m)[0]).not.toContain('@smithy/core/event-streams');
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      exports: Record<string, string>;
    };
    expect(manifest.exports['./lambda-event-streams']).toBe('./src/lambda-event-streams.ts');
  });
});
