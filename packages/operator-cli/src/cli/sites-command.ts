import { chargerIdSchema } from '@evcharge/domain';
import { setChargerSite, setSiteGridLimit } from '@evcharge/dynamo';
import { parseGridLimitW } from '../sites.js';
import { chargerIdArgument, expectPositionals, type ParsedArgs, stringOption, UsageError } from './args.js';
import { type CliDeps, resolveTableTarget, type TableTarget } from './deps.js';

// `chargers set-site` and `chargers set-site-limit`: table writes only, the same locally and with --aws.

export const SITES_USAGE = `  npm run chargers -- set-site <chargerId> <siteId> [--aws] [--table NAME]
  npm run chargers -- set-site-limit <siteId> <limit> [--aws] [--table NAME]   (limit: 150 or 150kW, or 150000W)`;

export const siteCommands = ['set-site', 'set-site-limit'] as const;
export const isSiteCommand = (command: string | undefined): command is (typeof siteCommands)[number] =>
  (siteCommands as readonly (string | undefined)[]).includes(command);

const siteOptions = ['aws', 'table'];

function siteIdArgument(value: string): string {
  if (!chargerIdSchema.safeParse(value).success)
    throw new UsageError(`argument <siteId> must match ^[A-Za-z0-9_-]{1,64}$, got '${value}'`);
  return value;
}

export async function runSiteCommand(
  command: (typeof siteCommands)[number],
  positionals: string[],
  values: ParsedArgs['values'],
  deps: CliDeps,
  onTarget: (target: TableTarget) => void,
): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && !siteOptions.includes(name))
      throw new UsageError(`option --${name} is not used by '${command}'`);
  }
  const write = command === 'set-site' ? siteAssignment(positionals, deps) : siteLimit(positionals, deps);
  const target = resolveTableTarget(deps.env, {
    aws: values.aws === true,
    table: stringOption(values, 'table'),
  });
  onTarget(target);
  const table = deps.openTable(target);
  try {
    deps.io.out(await write(table));
  } finally {
    table.close();
  }
}

type Write = (table: Parameters<typeof setChargerSite>[0]) => Promise<string>;

function siteAssignment(positionals: string[], deps: CliDeps): Write {
  const [chargerIdRaw = '', siteIdRaw = ''] = expectPositionals(positionals, ['chargerId', 'siteId']);
  const chargerId = chargerIdArgument(chargerIdRaw);
  const siteId = siteIdArgument(siteIdRaw);
  return async (table) => {
    await setChargerSite(table, chargerId, siteId, deps.now());
    return `Charger ${chargerId} is in site ${siteId} (${table.tableName}).`;
  };
}

function siteLimit(positionals: string[], deps: CliDeps): Write {
  const [siteIdRaw = '', limitRaw = ''] = expectPositionals(positionals, ['siteId', 'limit']);
  const siteId = siteIdArgument(siteIdRaw);
  const gridLimitW = parseGridLimitW(limitRaw);
  if (gridLimitW === undefined)
    throw new UsageError(`argument <limit> must be kW (150, 150kW) or W (150000W), got '${limitRaw}'`);
  return async (table) => {
    await setSiteGridLimit(table, siteId, gridLimitW, deps.now());
    return `Site ${siteId}: grid limit ${gridLimitW / 1000} kW (${table.tableName}).`;
  };
}
