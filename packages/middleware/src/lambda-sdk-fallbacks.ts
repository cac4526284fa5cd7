// Stands in, in every shipped bundle, for four SDK modules a Lambda function never reaches
// (esbuild-plugins.cjs resolves the SDK's own imports of them here). Each is a fallback behind a condition that
// does not hold on Lambda, so it is never called; reaching one anyway fails loudly, naming why.
// - Sha256Js, Md5Js: pure-JS hashes, used only when node:crypto cannot hash (Sha256Node and Md5Node test
//   createHash once at load and take the native class when it works, as it does on Lambda's Node).
// - AdaptiveRetryStrategy: built only for retry mode `adaptive` (AWS_RETRY_MODE or the client's `retryMode`);
//   our clients use the default, `standard`.
// - getInstanceMetadataRegion: asks the EC2 instance metadata service for the region, only when neither
//   AWS_REGION nor a config file names one; Lambda always sets AWS_REGION.
// About 8 kB a bundle. tests/unit/lambda-sdk-fallbacks.test.ts holds the installed SDK to these conditions.

const notBundled = (what: string): never => {
  throw new Error(`${what} is not bundled (see @evcharge/middleware/lambda-sdk-fallbacks)`);
};

export class Sha256Js {
  constructor() {
    notBundled('the pure-JS SHA-256 (node:crypto cannot hash here)');
  }
}

export class Md5Js {
  constructor() {
    notBundled('the pure-JS MD5 (node:crypto cannot hash here)');
  }
}

export class AdaptiveRetryStrategy {
  constructor() {
    notBundled('retry mode "adaptive"');
  }
}

/** No instance metadata on Lambda: the caller then reports the region missing. */
export async function getInstanceMetadataRegion(): Promise<undefined> {
  return undefined;
}
