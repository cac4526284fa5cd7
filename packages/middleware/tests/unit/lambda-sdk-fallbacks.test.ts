import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  AdaptiveRetryStrategy,
  getInstanceMetadataRegion,
  Md5Js,
  Sha256Js,
} from '../../src/lambda-sdk-fallbacks.js';

// The stand-ins for four SDK fallbacks in shipped bundles (esbuild-plugins.cjs, sdk-fallbacks-left-out): each
// fails loudly if reached, and the installed SDK reaches them only under conditions that do not hold on Lambda
// (packages/local-cloud/tests/integration/shipped-build-plugins.test.ts checks the build resolves them here).

const repo = join(import.meta.dirname, '../../../..');
// @smithy/core as the services bundle it: the one their DynamoDB client resolves, as esbuild resolves it.
const fromService = createRequire(join(repo, 'services/heartbeat/package.json'));
const fromClient = createRequire(fromService.resolve('@aws-sdk/client-dynamodb'));
const smithyCoreEntry = fromClient.resolve('@smithy/core');
const smithyCore = join(
  smithyCoreEntry.slice(0, smithyCoreEntry.lastIndexOf(`${sep}dist-`)),
  'dist-es/submodules',
);
const sdkSource = (path: string) => readFileSync(join(smithyCore, path), 'utf8');

describe('lambda SDK fallbacks (left out of the bundles)', () => {
  it('fail loudly, naming why, if ever reached; the metadata region is simply absent', async () => {
    expect(() => new Sha256Js()).toThrow(/SHA-256 .* not bundled .*lambda-sdk-fallbacks/);
    expect(() => new Md5Js()).toThrow(/MD5 .* not bundled/);
    expect(() => new AdaptiveRetryStrategy()).toThrow(/retry mode "adaptive" is not bundled/);
    await expect(getInstanceMetadataRegion()).resolves.toBeUndefined();
  });

  it('holds for the installed SDK: the JS hashes only when node:crypto cannot hash, which it can', () => {
    expect(sdkSource('checksum/sha256/Sha256Node.js')).toMatch(
      /createHash\("sha256"\)[\s\S]*hasNativeCrypto \? buildNativeClass\(\) : Sha256Js/,
    );
    expect(sdkSource('checksum/md5/Md5Node.js')).toMatch(
      /createHash\("md5"\)[\s\S]*hasNativeCrypto \? buildNativeClass\(\) : Md5Js/,
    );
    expect(createHash('sha256').update('x').digest('hex')).toHaveLength(64);
    expect(createHash('md5').update('x').digest('hex')).toHaveLength(32);
  });

  it('holds for the installed SDK: adaptive retry only in retry mode adaptive, which no function sets', () => {
    expect(sdkSource('retry/middleware-retry/configurations.js')).toMatch(
      /=== RETRY_MODES\.ADAPTIVE;\s*if \(adaptive\) \{\s*return new AdaptiveRetryStrategy/,
    );
    const configs = [
      'serverless.common.yml',
      ...readdirSync(join(repo, 'services')).map((service) => `services/${service}/serverless.yml`),
    ].flatMap((file) => {
      try {
        return [readFileSync(join(repo, file), 'utf8')];
      } catch {
        return [];
      }
    });
    expect(configs.length).toBeGreaterThan(5);
    expect(configs.filter((text) => /AWS_RETRY_MODE|retryMode/.test(text))).toEqual([]);
  });

  it('holds for the installed SDK: the metadata region only when no environment variable names one', () => {
    expect(sdkSource('config/config-resolver/regionConfig/config.js')).toMatch(
      /environmentVariableSelector: \(env\) => env\[REGION_ENV_NAME\][\s\S]*default: async \(\) => \{\s*const region = await getInstanceMetadataRegion\(\)/,
    );
    // Defaults mode "auto" infers the region from AWS_EXECUTION_ENV and AWS_REGION on Lambda.
    expect(sdkSource('config/defaults-mode/resolveDefaultsModeConfig.js')).toMatch(
      /if \(process\.env\[AWS_EXECUTION_ENV\] && \(process\.env\[AWS_REGION_ENV\][\s\S]*\n {4}return getInstanceMetadataRegion\(\);/,
    );
  });
});
