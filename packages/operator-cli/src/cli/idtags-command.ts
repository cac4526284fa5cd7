import { addIdTag, blockIdTag, listIdTags } from '@evcharge/dynamo';
import {
  expectPositionals,
  idTagArgument,
  integerOption,
  isoTimestampOption,
  type ParsedArgs,
  parseCliArgs,
  requiredOption,
  stringOption,
  UsageError,
} from './args.js';
import { type CliDeps, resolveTableTarget, type TableTarget, tableErrorHint } from './deps.js';
import { runCommand, wantsHelp } from './run.js';

export const IDTAGS_USAGE = `usage:
  npm run idtags -- add <idTag> --user <userId> [--expires <iso>] [--max-concurrent N] [--table NAME]
  npm run idtags -- block <idTag> [--table NAME]
  npm run idtags -- list [--table NAME]
  (--aws uses the deployed table: set --table or TABLE_NAME and AWS credentials)`;

const options = {
  user: { type: 'string' },
  expires: { type: 'string' },
  'max-concurrent': { type: 'string' },
  table: { type: 'string' },
  aws: { type: 'boolean' },
} as const;

function onlyFor(values: ParsedArgs['values'], command: string, names: string[]) {
  for (const name of names) {
    if (values[name] !== undefined) throw new UsageError(`option --${name} is not used by '${command}'`);
  }
}

export async function runIdTagsCli(argv: string[], deps: CliDeps): Promise<number> {
  if (wantsHelp(argv)) {
    deps.io.out(IDTAGS_USAGE);
    return 0;
  }
  let target: TableTarget | undefined;
  return runCommand(
    async () => {
      const { values, positionals } = parseCliArgs(argv, options);
      const [command, ...rest] = positionals;
      if (command !== 'add' && command !== 'block' && command !== 'list') {
        throw new UsageError(command ? `unknown command '${command}'` : 'missing command');
      }
      let run: (table: Parameters<typeof listIdTags>[0]) => Promise<void>;
      if (command === 'add') {
        const [idTagRaw] = expectPositionals(rest, ['idTag']);
        const idTag = idTagArgument(idTagRaw ?? '');
        const userId = requiredOption(values, 'user');
        if (userId.length > 128) throw new UsageError('option --user must be at most 128 characters');
        const expiresAt = isoTimestampOption(values, 'expires');
        const maxConcurrent = integerOption(values, 'max-concurrent', { min: 1, max: 100 });
        run = async (table) => {
          const tag = await addIdTag(table, {
            idTag,
            userId,
            ...(expiresAt ? { expiresAt } : {}),
            ...(maxConcurrent ? { maxConcurrent } : {}),
          });
          deps.io.out(
            `Added idTag ${tag.idTag} for user ${tag.userId} (max concurrent ${tag.maxConcurrent}` +
              `${tag.expiresAt ? `, expires ${tag.expiresAt}` : ''}).`,
          );
        };
      } else if (command === 'block') {
        onlyFor(values, command, ['user', 'expires', 'max-concurrent']);
        const [idTagRaw] = expectPositionals(rest, ['idTag']);
        const idTag = idTagArgument(idTagRaw ?? '');
        run = async (table) => {
          await blockIdTag(table, idTag);
          deps.io.out(`Blocked idTag ${idTag}.`);
        };
      } else {
        onlyFor(values, command, ['user', 'expires', 'max-concurrent']);
        expectPositionals(rest, []);
        run = async (table) => {
          for (const line of formatIdTagList(await listIdTags(table))) deps.io.out(line);
        };
      }
      target = resolveTableTarget(deps.env, {
        aws: values.aws === true,
        table: stringOption(values, 'table'),
      });
      const table = deps.openTable(target);
      try {
        await run(table);
      } finally {
        table.close();
      }
    },
    IDTAGS_USAGE,
    deps.io,
    tableErrorHint(() => target),
  );
}

export function formatIdTagList(tags: Awaited<ReturnType<typeof listIdTags>>): string[] {
  if (tags.length === 0) return ['No idTags registered.'];
  const rows = [
    ['idTag', 'userId', 'status', 'expiresAt', 'maxConcurrent', 'activeSessions'],
    ...tags.map((tag) => [
      tag.idTag,
      tag.userId,
      tag.status,
      tag.expiresAt ?? '-',
      String(tag.maxConcurrent),
      String(tag.activeSessionCount),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
