import { OPERATORS_GROUP, signDevToken } from '@evcharge/local-identity';
import { expectPositionals, integerOption, parseCliArgs, UsageError } from './args.js';
import type { CliDeps } from './deps.js';
import { runCommand, wantsHelp } from './run.js';

export const DEV_TOKEN_USAGE = `usage:
  npm run dev-token -- <userId> [--expires-in SECONDS] [--operator]
  (--operator: in the \`operators\` group (the \`cognito:groups\` claim): the ops console's routes accept it)
  (local cloud only: signed with LOCAL_JWT_SECRET or the dev-only default key)`;

const options = { 'expires-in': { type: 'string' }, operator: { type: 'boolean' } } as const;

/** Prints only the token on stdout, so `TOKEN=$(npm run -s dev-token -- alice)` works. */
export async function runDevTokenCli(argv: string[], deps: CliDeps): Promise<number> {
  if (wantsHelp(argv)) {
    deps.io.out(DEV_TOKEN_USAGE);
    return 0;
  }
  return runCommand(
    async () => {
      const { values, positionals } = parseCliArgs(argv, options);
      const [userId] = expectPositionals(positionals, ['userId']);
      if (!userId || userId.length > 128)
        throw new UsageError('argument <userId> must be 1 to 128 characters');
      const expiresInS = integerOption(values, 'expires-in', { min: 1, max: 30 * 24 * 3600 });
      deps.io.out(
        await signDevToken(userId, {
          ...(expiresInS ? { expiresInS } : {}),
          ...(values.operator === true ? { groups: [OPERATORS_GROUP] } : {}),
        }),
      );
    },
    DEV_TOKEN_USAGE,
    deps.io,
  );
}
