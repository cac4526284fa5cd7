// Preload for `sls invoke local`: osls require()s the built handler without an extension and only tries
// `.js`/`.cjs`, while our bundles are ESM `.mjs` (as on Lambda). This resolve hook retries an extensionless
// path with `.mjs`; Node 22 can require() an ESM module without top-level await.
// Use: export NODE_OPTIONS="--import=<repo>/packages/local-cloud/src/invoke-local/resolve-mjs-handlers.mjs"
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { isAbsolute } from 'node:path';

// Absent before Node 22.15 (e.g. in the pnpm process itself, which NODE_OPTIONS also reaches): do nothing there.
nodeModule.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const notFound = error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND';
      if (notFound && isAbsolute(specifier) && existsSync(`${specifier}.mjs`)) {
        return nextResolve(`${specifier}.mjs`, context);
      }
      throw error;
    }
  },
});
