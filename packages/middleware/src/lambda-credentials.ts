import { fromEnv } from '@aws-sdk/credential-provider-env';

// Stands in for `@aws-sdk/credential-provider-node` in every shipped bundle (an esbuild `alias` in
// serverless.common.yml). Lambda hands a function its role's credentials as environment variables, and the
// local cloud and `sls invoke local` set them too, so the default chain's other links (SSO, ini files,
// credential_process, web identity, container and instance metadata, with the STS/SSO clients they bring)
// are never reached there: leaving them out takes about 100 kB off each bundle. Not for SnapStart
// (credentials from the container endpoint) nor for tools run with AWS_PROFILE: they do not bundle this.

type DefaultProviderInit = Parameters<typeof fromEnv>[0];
type CredentialProvider = ReturnType<typeof fromEnv>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

/** The default provider chain reduced to its first link: the `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` pair. */
export const defaultProvider = (init?: DefaultProviderInit): CredentialProvider => fromEnv(init);

/** As credential-provider-node's: Lambda's role credentials carry no expiration in the environment. */
export const credentialsWillNeedRefresh = (credentials?: Credentials): boolean =>
  credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials?: Credentials): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
