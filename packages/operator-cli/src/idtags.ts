// `npm run idtags`: a thin entry point; the command lives in cli/idtags-command.ts.

import { defaultCliDeps } from './cli/deps.js';
import { runIdTagsCli } from './cli/idtags-command.js';

process.exitCode = await runIdTagsCli(process.argv.slice(2), defaultCliDeps());
