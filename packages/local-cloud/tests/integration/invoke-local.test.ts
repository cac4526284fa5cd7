import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oslsBin } from '../../src/config/paths.js';
import type { LocalCloud } from '../../src/index.js';
import { probeServiceDir, reports, startProbeCloud } from '../helpers/probe-cloud.js';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startProbeCloud();
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

/** Runs osls in the service folder with the cloud's env, asynchronously (the cloud answers in this process). */
function invokeLocal(functionName: string, eventPath: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [oslsBin, 'invoke', 'local', '-f', functionName, '--path', eventPath, '--stage', 'local'],
      { cwd: probeServiceDir, env: { ...process.env, ...cloud.env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('sls invoke local against the local cloud', () => {
  it('resolves Fn::ImportValue and Ref in the environment through the local CloudFormation endpoint', async () => {
    const { code, output } = await invokeLocal('echo', 'events/echo.json');
    expect(output).toContain('"ok": true');
    expect(code).toBe(0);
    // The function published to the cloud's SNS endpoint, at the topic ARN it got from Fn::ImportValue.
    const seen = reports<{ event: { requestId: string } }>(cloud, 'echo');
    expect(seen.map((report) => report.event.requestId)).toContain('invoke-local-1');
    expect(cloud.notifications()[0]?.topicArn).toBe(
      'arn:aws:sns:us-east-1:000000000000:ev-charging-notifications-local',
    );
  }, 60_000);
});
