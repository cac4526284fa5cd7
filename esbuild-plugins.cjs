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
 * undici (fetch, WebSocket): ~11 ms at the first `import("node:http")`, which the SDK's HTTP handler does for
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

module.exports = [
  chunksNamedAfterTheirEntry,
  sdkPackageJsonVersionOnly,
  browserOnlySdkCodeLeftOut,
  httpThroughRequire,
];
