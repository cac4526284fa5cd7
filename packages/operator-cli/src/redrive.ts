// `npm run redrive`: a thin entry point; the command lives in cli/redrive-command.ts, its work in redrive/.
import { runRedriveCli } from './cli/redrive-command.js';

process.exitCode = await runRedriveCli(process.argv.slice(2));
