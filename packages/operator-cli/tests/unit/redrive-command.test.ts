import { describe, expect, it } from '@jest/globals';
import { runRedriveCli, serviceNamesIn } from '../../src/cli/redrive-command.js';

describe('pnpm redrive: the command', () => {
  it('refuses an unknown option with usage and exit code 2, before reaching any queue', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (line: string) => err.push(line) };
    expect(await runRedriveCli(['--queue', 'x'], io, {})).toBe(2);
    expect(err.join('\n')).toMatch(/--queue[\s\S]*usage: npm run redrive/);
  });

  it('finds the services by their serverless.yml names', () => {
    expect(serviceNamesIn()).toEqual(expect.arrayContaining(['heartbeat', 'metering', 'plug-events']));
  });
});
