// Stands in for `@aws-sdk/middleware-endpoint-discovery` in every shipped bundle (an esbuild `alias` in
// serverless.common.yml). DynamoDB's client still resolves an endpoint-discovery config, building an endpoint
// cache (an LRU from mnemonist) for it, but no DynamoDB command of this SDK line uses endpoint discovery any
// more: its middleware is in no command. Leaving the cache out takes about 8.5 kB off each bundle with a
// DynamoDB client. A config that turns discovery on fails loudly, naming why.

interface EndpointDiscoveryInput {
  endpointDiscoveryEnabled?: boolean;
  endpointDiscoveryEnabledProvider?: () => Promise<boolean | undefined>;
}

const notBundled = (): never => {
  throw new Error('endpoint discovery is not bundled (see @evcharge/middleware/lambda-endpoint-discovery)');
};

/** As the SDK's, without the endpoint cache; discovery stays off unless the client config asks for it. */
export const resolveEndpointDiscoveryConfig = <T extends EndpointDiscoveryInput>(
  input: T,
  _options: { endpointDiscoveryCommandCtor: unknown },
): T & {
  endpointDiscoveryEnabled: () => Promise<boolean | undefined>;
  isClientEndpointDiscoveryEnabled: boolean;
} => {
  const { endpointDiscoveryEnabled, endpointDiscoveryEnabledProvider } = input;
  if (endpointDiscoveryEnabled === true) notBundled();
  return Object.assign(input, {
    endpointDiscoveryEnabled:
      endpointDiscoveryEnabled !== undefined
        ? () => Promise.resolve(endpointDiscoveryEnabled)
        : (endpointDiscoveryEnabledProvider ?? (() => Promise.resolve(undefined))),
    isClientEndpointDiscoveryEnabled: endpointDiscoveryEnabled !== undefined,
  });
};

/** The client's config loader reads this; no environment variable or profile can turn discovery on here. */
export const NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS = {
  environmentVariableSelector: (): undefined => undefined,
  configFileSelector: (): undefined => undefined,
  default: undefined,
};

export const getEndpointDiscoveryPlugin = notBundled;
