// esbuild plugins of every service's bundles: serverless-esbuild loads this file (`plugins` in serverless.common.yml),
// and the local cloud and the bench build with the same options. Each plugin's setup is self-contained: the local
// cloud hashes the setup code to know when its cached bundles are stale.

/**
 * Names a function's chunks after its entry (`authorize.chunk-HASH.mjs`). serverless-esbuild zips each function
 * with every file of the service's build folder except the other functions' bundles and the files named after
 * them, so each zip then holds its own chunks and no other function's.
 */
const chunksNamedAfterTheirEntry = {
  name: 'chunks-named-after-their-entry',
  setup(build) {
    const { entryPoints, splitting } = build.initialOptions;
    if (!splitting || !Array.isArray(entryPoints) || entryPoints.length !== 1) return;
    const entry = typeof entryPoints[0] === 'string' ? entryPoints[0] : entryPoints[0].in;
    const name = entry
      .split(/[\\/]/)
      .pop()
      .replace(/\.[^.]+$/, '');
    build.initialOptions.chunkNames = `${name}.[name]-[hash]`;
  },
};

/**
 * Each AWS SDK client imports its whole package.json for one field, its version (the user agent): only that
 * field is bundled (2-2.5 kB less per client).
 */
const sdkPackageJsonVersionOnly = {
  name: 'sdk-package-json-version-only',
  setup(build) {
    const { readFile } = require('node:fs/promises');
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * The SDK's browser user-agent parser (bowser) is imported lazily by code that runs in browsers only. With code
 * splitting esbuild emitted it as a chunk of its own (35 kB in every zip, never loaded); left external instead
 * (reaching it on Lambda would fail loudly: the package is not in the zip).
 */
const browserOnlySdkCodeLeftOut = {
  name: 'browser-only-sdk-code-left-out',
  setup(build) {
    build.onResolve({ filter: /^bowser$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * Node 22 builds the ESM facade of a builtin by reading every export, and `node:http`'s lazy getters then load
 * undici (fetch, WebSocket): 8-11 ms at the first `import("node:http")`, which the SDK's HTTP handler does for
 * an http:// endpoint. `node:http` is loaded with `require` instead (the banner's createRequire), which reads no
 * getter: the same module, without undici.
 */
const httpThroughRequire = {
  name: 'http-through-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      // The stand-in's own require is the builtin itself (external on platform node).
      args.namespace === 'required-builtin'
        ? undefined
        : { path: 'node:http', namespace: 'required-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'required-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Four SDK fallbacks no Lambda function reaches (pure-JS SHA-256 and MD5, adaptive retry, the instance-metadata
 * region) resolve to packages/middleware/src/lambda-sdk-fallbacks.ts, which says why each is unreachable and fails
 * loudly if it is reached: about 8 kB a bundle.
 */
const sdkFallbacksLeftOut = {
  name: 'sdk-fallbacks-left-out',
  setup(build) {
    const { dirname, join, resolve, sep } = require('node:path');
    const standIn = join(__dirname, 'packages/middleware/src/lambda-sdk-fallbacks.ts');
    // Exactly these modules of @smithy/core's submodules (not, e.g., the deprecated AdaptiveRetryStrategy).
    const leftOut = [
      'checksum/sha256/Sha256Js',
      'checksum/md5/Md5Js',
      'retry/util-retry/AdaptiveRetryStrategy',
      'config/config-resolver/regionConfig/getInstanceMetadataRegion',
    ].map(
      (module) => `${sep}@smithy${sep}core${sep}dist-es${sep}submodules${sep}${module.split('/').join(sep)}`,
    );
    build.onResolve(
      { filter: /^\.{1,2}\/(.*\/)?(Sha256Js|Md5Js|AdaptiveRetryStrategy|getInstanceMetadataRegion)$/ },
      (args) => {
        const target = resolve(dirname(args.importer), args.path);
        return leftOut.some((module) => target.endsWith(module)) ? { path: standIn } : undefined;
      },
    );
  },
};

/**
 * Each SDK client's schemas module keys its traits by constants (`{ [_h]: [...] }`, `const _h = "http"`). A
 * computed key may run code as far as esbuild knows, so every operation's schema stayed in every bundle, with
 * the schemas and names it refers to: the Lambda client's alone was 45 kB for the one Invoke the console sends.
 * The keys are written as the literal strings they are: the same objects, and esbuild drops what no command uses.
 */
const sdkSchemaTraitKeysLiteral = {
  name: 'sdk-schema-trait-keys-literal',
  setup(build) {
    const { readFile } = require('node:fs/promises');
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8');
        const constants = new Map();
        for (const [, name, value] of source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm))
          constants.set(name, value);
        const contents = source.replace(/\[(_\w+)\]:/g, (key, name) =>
          constants.has(name) ? `${constants.get(name)}:` : key,
        );
        return { contents, loader: 'js' };
      },
    );
  },
};

module.exports = [
  chunksNamedAfterTheirEntry,
  sdkPackageJsonVersionOnly,
  browserOnlySdkCodeLeftOut,
  httpThroughRequire,
  sdkFallbacksLeftOut,
  sdkSchemaTraitKeysLiteral,
];
