import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { lambdaInvoke, redrive } from '@evcharge/operations';
import { parseCliArgs, stringOption } from './args.js';
import { type CommandIo, processIo, runCommand, wantsHelp } from './run.js';

export const REDRIVE_USAGE =
  'usage: npm run redrive -- [--function <name>] [--dry-run] [--stage <stage>] [--service <service>]';

const options = {
  function: { type: 'string' },
  service: { type: 'string' },
  stage: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

const repoRoot = resolve(import.meta.dirname, '../../../..');

/** Every services/* folder with a serverless.yml, by its `service:` name. */
export function serviceNamesIn(servicesDir = join(repoRoot, 'services')): string[] {
  return readdirSync(servicesDir)
    .map((entry) => {
      try {
        return /^service:\s*(\S+)/m.exec(
          readFileSync(join(servicesDir, entry, 'serverless.yml'), 'utf8'),
        )?.[1];
      } catch {
        return undefined;
      }
    })
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** Replays every service's dead letters (or `--service`'s) on AWS, or the local cloud's AWS_ENDPOINT_URL_*. */
export async function runRedriveCli(
  argv: string[],
  io: CommandIo = processIo,
  env = process.env,
): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(REDRIVE_USAGE);
    return 0;
  }
  return runCommand(
    async () => {
      const { values } = parseCliArgs(argv, options);
      const stage = stringOption(values, 'stage') ?? env.STAGE ?? 'local';
      const service = stringOption(values, 'service');
      const functionFilter = stringOption(values, 'function');
      const dryRun = values['dry-run'] === true;
      await redrive({
        sqs: new SQSClient({}),
        invoke: dryRun ? async () => ({ payload: null }) : await lambdaInvoke(),
        services: service ? [service] : serviceNamesIn(),
        stage,
        ...(functionFilter ? { functionFilter } : {}),
        dryRun,
        io,
      });
    },
    REDRIVE_USAGE,
    io,
  );
}
