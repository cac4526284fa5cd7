import { chargerTopic } from '@evcharge/domain';
import { assignChargerToGateway, commissionCharger } from '@evcharge/dynamo';
import {
  issueOcppCredentials,
  LOCAL_GATEWAY_ID,
  type LocalChargerCredentials,
  type OcppCredentials,
  registerChargerLocally,
} from '@evcharge/local-identity';
import { createChargerPolicy } from '../aws-policy.js';
import { chargerIotPolicies, chargerIotPolicyNames } from '../iot-policy.js';
import { registerChargerOnAws } from '../registration.js';
import {
  chargerIdArgument,
  expectPositionals,
  integerOption,
  parseCliArgs,
  requiredOption,
  stringOption,
  UsageError,
} from './args.js';
import {
  type CliDeps,
  LOCAL_MQTT_URL,
  localOcppBaseUrl,
  resolveTableTarget,
  type TableTarget,
  tableErrorHint,
} from './deps.js';
import {
  isOperatorCommand,
  OPERATOR_COMMANDS_USAGE,
  operatorCommandOptions,
  runOperatorCommand,
} from './operator-commands.js';
import { runCommand, wantsHelp } from './run.js';
import { isSiteCommand, runSiteCommand, SITES_USAGE } from './sites-command.js';

export const CHARGERS_USAGE = `usage:
  npm run chargers -- register <chargerId> [--connectors N] [--pending] [--table NAME] [--mqtt-url URL] [--ocpp-url URL] [--json]
    (locally: prints the charger's MQTT credentials and its OCPP 1.6J ones for the local gateway)
  npm run chargers -- register <chargerId> --aws --cert-dir DIR --policy NAME [--connectors N] [--pending] [--table NAME]
  npm run chargers -- commission <chargerId> [--aws] [--table NAME]
  npm run chargers -- policy-document --region REGION --account ACCOUNT_ID --stage STAGE
  npm run chargers -- create-policy --policy NAME --region REGION --account ACCOUNT_ID --stage STAGE   (AWS, once per account and stage)
  (--pending: the charger's BootNotification is answered Pending until \`chargers commission\` accepts it)
sites (a charger's grid connection, and its limit for the site-load alert):
${SITES_USAGE}
operator commands (OCPP, answered by the charger; see docs/contract.md#command-actions):
${OPERATOR_COMMANDS_USAGE}`;

const options = {
  connectors: { type: 'string' },
  pending: { type: 'boolean' },
  aws: { type: 'boolean' },
  'cert-dir': { type: 'string' },
  policy: { type: 'string' },
  table: { type: 'string' },
  'mqtt-url': { type: 'string' },
  'ocpp-url': { type: 'string' },
  json: { type: 'boolean' },
  region: { type: 'string' },
  account: { type: 'string' },
  stage: { type: 'string' },
  ...operatorCommandOptions,
} as const;

/** Prints what an external MQTT client needs, and a command that proves the credentials work. */
export function formatLocalCredentials(
  credentials: LocalChargerCredentials,
  mqttUrl: string,
  at: Date,
): string[] {
  const url = new URL(mqttUrl);
  const host = url.hostname;
  const port = url.port || '1883';
  const { chargerId, username, password } = credentials;
  const heartbeat = JSON.stringify({ at: at.toISOString() });
  return [
    'MQTT credentials (local broker):',
    `  url:       ${mqttUrl}`,
    `  client id: ${chargerId}`,
    `  username:  ${username}`,
    `  password:  ${password}`,
    'Try it (MQTT 3.1.1, QoS 1):',
    `  mosquitto_pub -h ${host} -p ${port} -V mqttv311 -q 1 -i ${chargerId} -u ${username} -P '${password}' \\`,
    `    -t ${chargerTopic('heartbeat', chargerId)} -m '${heartbeat}'`,
  ];
}

/** What an OCPP 1.6J charger's configuration takes to reach the local gateway (security profile 1). */
export function formatOcppCredentials(ocpp: OcppCredentials, baseUrl: string): string[] {
  return [
    'OCPP 1.6J credentials (local gateway, security profile 1: HTTP Basic):',
    `  ocpp url:      ${baseUrl}/${ocpp.username}`,
    `  ocpp base url: ${baseUrl}`,
    `  ocpp username: ${ocpp.username}`,
    `  ocpp password: ${ocpp.password}`,
  ];
}

function localCredentialsJson(
  credentials: LocalChargerCredentials,
  mqttUrl: string,
  ocpp: OcppCredentials,
  ocppBaseUrl: string,
) {
  return {
    mqtt: {
      url: mqttUrl,
      clientId: credentials.chargerId,
      username: credentials.username,
      password: credentials.password,
    },
    ocpp: {
      url: `${ocppBaseUrl}/${ocpp.username}`,
      baseUrl: ocppBaseUrl,
      username: ocpp.username,
      password: ocpp.password,
    },
  };
}

async function register(
  positionals: string[],
  values: ReturnType<typeof parseCliArgs>['values'],
  deps: CliDeps,
  onTarget: (target: TableTarget) => void,
) {
  const [chargerIdRaw] = expectPositionals(positionals, ['chargerId']);
  const chargerId = chargerIdArgument(chargerIdRaw ?? '');
  const connectorCount = integerOption(values, 'connectors', { min: 1, max: 999 }) ?? 1;
  const pending = values.pending === true;
  const aws = values.aws === true;
  if (!aws) {
    for (const awsOnly of ['cert-dir', 'policy']) {
      if (values[awsOnly] !== undefined) throw new UsageError(`option --${awsOnly} is only used with --aws`);
    }
  } else {
    for (const localOnly of ['mqtt-url', 'ocpp-url', 'json']) {
      if (values[localOnly] !== undefined) throw new UsageError(`option --${localOnly} is only used locally`);
    }
  }
  const certDir = aws ? requiredOption(values, 'cert-dir') : '';
  const policyName = aws ? requiredOption(values, 'policy') : '';
  const target = resolveTableTarget(deps.env, { aws, table: stringOption(values, 'table') });
  onTarget(target);
  const table = deps.openTable(target);
  try {
    const now = deps.now();
    if (aws) {
      const iot = deps.openIot();
      try {
        const registration = await registerChargerOnAws(
          iot,
          table,
          { chargerId, connectorCount, pending, now },
          {
            certDir,
            policyName,
          },
        );
        deps.io.out(
          `Registered charger ${chargerId} (${connectorCount} connectors) on AWS IoT and in ${table.tableName}.`,
        );
        deps.io.out(`  thing:       ${registration.thingArn}`);
        deps.io.out(`  certificate: ${registration.certificateArn}`);
        deps.io.out(`  cert file:   ${registration.certificatePath} (0600)`);
        deps.io.out(`  key file:    ${registration.privateKeyPath} (0600)`);
        deps.io.out(`  policies:    ${chargerIotPolicyNames(policyName).join(', ')}`);
        if (pending) deps.io.out(pendingNote(chargerId));
        deps.io.out(
          'The device also needs the ATS endpoint (aws iot describe-endpoint --endpoint-type iot:Data-ATS) and the ' +
            'Amazon Root CA 1. Re-registering issues a new certificate; revoke the old one with aws iot update-certificate.',
        );
      } finally {
        iot.destroy();
      }
      return;
    }
    const credentials = await registerChargerLocally(table, { chargerId, connectorCount, pending, now });
    // The same charger may also connect over OCPP 1.6J through the local cloud's gateway.
    const ocpp = await issueOcppCredentials(table, chargerId);
    await assignChargerToGateway(table, chargerId, LOCAL_GATEWAY_ID);
    const mqttUrl = stringOption(values, 'mqtt-url') ?? deps.env.LOCAL_MQTT_URL ?? LOCAL_MQTT_URL;
    const ocppBaseUrl = (stringOption(values, 'ocpp-url') ?? localOcppBaseUrl(deps.env)).replace(/\/+$/, '');
    if (values.json === true) {
      deps.io.out(JSON.stringify(localCredentialsJson(credentials, mqttUrl, ocpp, ocppBaseUrl), null, 2));
      return;
    }
    deps.io.out(`Registered charger ${chargerId} (${connectorCount} connectors) in ${table.tableName}.`);
    if (pending) deps.io.out(pendingNote(chargerId));
    for (const line of formatLocalCredentials(credentials, mqttUrl, now)) deps.io.out(line);
    for (const line of formatOcppCredentials(ocpp, ocppBaseUrl)) deps.io.out(line);
  } finally {
    table.close();
  }
}

function pendingNote(chargerId: string): string {
  return `  Pending: its BootNotification is answered Pending until \`npm run chargers -- commission ${chargerId}\`.`;
}

/** Only writes the table, so it runs the same locally and (with --aws) against the deployed table. */
async function commission(
  positionals: string[],
  values: ReturnType<typeof parseCliArgs>['values'],
  deps: CliDeps,
  onTarget: (target: TableTarget) => void,
) {
  for (const name of [
    'connectors',
    'pending',
    'cert-dir',
    'policy',
    'mqtt-url',
    'ocpp-url',
    'json',
    'region',
    'account',
    'hard',
    'timeout',
  ]) {
    if (values[name] !== undefined) throw new UsageError(`option --${name} is not used by 'commission'`);
  }
  const [chargerIdRaw] = expectPositionals(positionals, ['chargerId']);
  const chargerId = chargerIdArgument(chargerIdRaw ?? '');
  const target = resolveTableTarget(deps.env, {
    aws: values.aws === true,
    table: stringOption(values, 'table'),
  });
  onTarget(target);
  const table = deps.openTable(target);
  try {
    const { alreadyAccepted } = await commissionCharger(table, chargerId);
    deps.io.out(
      alreadyAccepted
        ? `Charger ${chargerId} was already commissioned (Accepted) in ${table.tableName}.`
        : `Commissioned charger ${chargerId} in ${table.tableName}: its next BootNotification is answered Accepted.`,
    );
  } finally {
    table.close();
  }
}

function policyTarget(values: ReturnType<typeof parseCliArgs>['values']) {
  const region = requiredOption(values, 'region');
  const accountId = requiredOption(values, 'account');
  if (!/^\d{12}$/.test(accountId)) {
    throw new UsageError(`option --account must be a 12-digit AWS account id, got '${accountId}'`);
  }
  const stage = requiredOption(values, 'stage');
  if (!/^[a-zA-Z0-9-]+$/.test(stage))
    throw new UsageError(`option --stage must be a deploy stage name, got '${stage}'`);
  return { region, accountId, stage };
}

function policyDocument(
  positionals: string[],
  values: ReturnType<typeof parseCliArgs>['values'],
  deps: CliDeps,
) {
  expectPositionals(positionals, []);
  const { region, accountId, stage } = policyTarget(values);
  const baseName = stringOption(values, 'policy') ?? 'NAME';
  const byName = Object.fromEntries(
    chargerIotPolicies(region, accountId, stage).map((policy) => [
      `${baseName}${policy.nameSuffix}`,
      policy.document,
    ]),
  );
  deps.io.out(JSON.stringify(byName, null, 2));
}

async function createPolicy(
  positionals: string[],
  values: ReturnType<typeof parseCliArgs>['values'],
  deps: CliDeps,
) {
  expectPositionals(positionals, []);
  const policyName = requiredOption(values, 'policy');
  const { region, accountId, stage } = policyTarget(values);
  const iot = deps.openIot();
  try {
    for (const created of await createChargerPolicy(iot, { policyName, region, accountId, stage })) {
      deps.io.out(`Created IoT policy ${created.policyName} (${created.policyArn}).`);
    }
  } finally {
    iot.destroy();
  }
}

export async function runChargersCli(argv: string[], deps: CliDeps): Promise<number> {
  if (wantsHelp(argv)) {
    deps.io.out(CHARGERS_USAGE);
    return 0;
  }
  let target: TableTarget | undefined;
  // An operator command ends with its own code: 1 when the charger did not answer in time.
  let commandExitCode = 0;
  const exitCode = await runCommand(
    async () => {
      const { values, positionals } = parseCliArgs(argv, options);
      const [command, ...rest] = positionals;
      if (command === 'register') {
        return register(rest, values, deps, (resolved) => {
          target = resolved;
        });
      }
      if (command === 'commission') {
        return commission(rest, values, deps, (resolved) => {
          target = resolved;
        });
      }
      if (isSiteCommand(command)) {
        return runSiteCommand(command, rest, values, deps, (resolved) => {
          target = resolved;
        });
      }
      if (isOperatorCommand(command)) {
        commandExitCode = await runOperatorCommand(command ?? '', rest, values, deps, (resolved) => {
          target = resolved;
        });
        return;
      }
      if (command === 'policy-document') return policyDocument(rest, values, deps);
      if (command === 'create-policy') return createPolicy(rest, values, deps);
      throw new UsageError(command ? `unknown command '${command}'` : 'missing command');
    },
    CHARGERS_USAGE,
    deps.io,
    tableErrorHint(() => target),
  );
  return exitCode === 0 ? commandExitCode : exitCode;
}
