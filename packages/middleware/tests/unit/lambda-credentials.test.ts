import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  credentialsTreatedAsExpired,
  credentialsWillNeedRefresh,
  defaultProvider,
} from '../../src/lambda-credentials.js';

// The stand-in for @aws-sdk/credential-provider-node in every shipped bundle (serverless.common.yml esbuild alias).

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('lambda credentials (the default provider chain as Lambda needs it)', () => {
  it('reads the role credentials Lambda puts in the environment, session token included', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fails with the SDK provider error when the environment has none (no other source is tried)', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });

  it('keeps the refresh rules of the package it replaces', () => {
    expect(credentialsWillNeedRefresh({ accessKeyId: 'a', secretAccessKey: 'b' })).toBe(false);
    const soon = { accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(Date.now() + 60_000) };
    expect(credentialsWillNeedRefresh(soon)).toBe(true);
    expect(credentialsTreatedAsExpired(soon)).toBe(true);
  });

  it('is what the shared esbuild block aliases the SDK default provider to', () => {
    const common = readFileSync(join(import.meta.dirname, '../../../../serverless.common.yml'), 'utf8');
    expect(common).toMatch(
      /^ {4}'@aws-sdk\/credential-provider-node': '@evcharge\/middleware\/lambda-credentials'$/m,
    );
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      exports: Record<string, string>;
    };
    expect(manifest.exports['./lambda-credentials']).toBe('./src/lambda-credentials.ts');
  });
});
