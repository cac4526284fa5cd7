import { existsSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { invokeLocalExports } from '../../src/cli/env.js';

describe('invoke-local exports', () => {
  it('point every SDK endpoint at the given ports and preload an existing resolve hook', () => {
    const lines = invokeLocalExports({ aws: 14566, dynamodb: 18000 });
    expect(lines).toContain('export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:18000');
    for (const service of ['SNS', 'IOT_DATA_PLANE', 'SQS', 'CLOUDFORMATION', 'S3'])
      expect(lines).toContain(`export AWS_ENDPOINT_URL_${service}=http://127.0.0.1:14566`);
    const hook = /--import=([^"]+)"/.exec(
      lines.find((line) => line.startsWith('export NODE_OPTIONS')) ?? '',
    )?.[1];
    expect(hook && existsSync(hook)).toBe(true);
  });
});
