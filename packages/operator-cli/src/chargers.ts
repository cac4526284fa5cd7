// `npm run chargers`: a thin entry point; the command lives in cli/chargers-command.ts.
import { runChargersCli } from './cli/chargers-command.js';
import { defaultCliDeps } from './cli/deps.js';

process.exitCode = await runChargersCli(process.argv.slice(2), defaultCliDeps());
