import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  getEndpointDiscoveryPlugin,
  resolveEndpointDiscoveryConfig,
} from '../../src/lambda-endpoint-discovery.js';

// The stand-in for @aws-sdk/middleware-endpoint-discovery in shipped bundles (serverless.common.yml esbuild alias).

const command = { endpointDiscoveryCommandCtor: class {} };

describe('lambda endpoint discovery (left out of the bundles: no DynamoDB command uses it)', () => {
  it('resolves the config as the SDK does, without building an endpoint cache', async () => {
    const resolved = resolveEndpointDiscoveryConfig({}, command);
    await expect(resolved.endpointDiscoveryEnabled()).resolves.toBeUndefined();
    expect(resolved.isClientEndpointDiscoveryEnabled).toBe(false);
    expect(resolved).not.toHaveProperty('endpointCache');
    const off = resolveEndpointDiscoveryConfig({ endpointDiscoveryEnabled: false }, command);
    await expect(off.endpointDiscoveryEnabled()).resolves.toBe(false);
  });

  it('fails loudly, naming why, if a client asks for endpoint discovery', () => {
    expect(() => resolveEndpointDiscoveryConfig({ endpointDiscoveryEnabled: true }, command)).toThrow(
      /endpoint discovery is not bundled/,
    );
    expect(() => getEndpointDiscoveryPlugin()).toThrow(/lambda-endpoint-discovery/);
  });

  it('holds for the installed SDK: no DynamoDB command adds the endpoint-discovery middleware', () => {
    // The client the services bundle, resolved from a service as esbuild resolves it.
    const fromService = createRequire(
      join(import.meta.dirname, '../../../../services/heartbeat/package.json'),
    );
    const clientDir = join(dirname(fromService.resolve('@aws-sdk/client-dynamodb/package.json')), 'dist-es');
    const commandsDir = join(clientDir, 'commands');
    const sources = readdirSync(commandsDir).map((file) => readFileSync(join(commandsDir, file), 'utf8'));
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((source) => /EndpointDiscovery/.test(source))).toEqual([]);
    expect(readFileSync(join(clientDir, 'commandBuilder.js'), 'utf8')).not.toMatch(/EndpointDiscovery/);
  });

  it('is what both esbuild blocks alias the SDK package to', () => {
    const common = readFileSync(join(import.meta.dirname, '../../../../serverless.common.yml'), 'utf8');
    const aliases = common.match(
      /^ {4}'@aws-sdk\/middleware-endpoint-discovery': '@evcharge\/middleware\/lambda-endpoint-discovery'$/gm,
    );
    expect(aliases).toHaveLength(2);
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      exports: Record<string, string>;
    };
    expect(manifest.exports['./lambda-endpoint-discovery']).toBe('./src/lambda-endpoint-discovery.ts');
  });
});
