// `npm run dev-token`: a thin entry point; the command lives in cli/dev-token-command.ts.

import { defaultCliDeps } from './cli/deps.js';
import { runDevTokenCli } from './cli/dev-token-command.js';

process.exitCode = await runDevTokenCli(process.argv.slice(2), defaultCliDeps());
