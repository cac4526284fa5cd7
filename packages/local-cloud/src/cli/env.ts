// `npm run -s local-cloud-env -- [port flags]`: prints the shell exports that point the AWS SDK (and osls
// `invoke local`) at a running `npm start`, plus the preload that lets osls load our `.mjs` bundles.
// Usage: eval "$(npm run -s local-cloud-env)" — pass the same port flags you gave `npm start`.
import { fileURLToPath } from 'node:url';
import { parseStartArgs, usage } from './args.js';

const envUsage = `usage: eval "$(npm run -s local-cloud-env -- [--aws-port N] [--dynamodb-port N])"
  prints the exports that point the AWS SDK and \`sls invoke local\` at a running \`npm start\`;
  pass the same port flags (or LOCAL_CLOUD_*_PORT variables) you gave it`;

export function invokeLocalExports(ports: { aws: number; dynamodb: number }): string[] {
  const aws = `http://127.0.0.1:${ports.aws}`;
  const resolveHook = fileURLToPath(new URL('../invoke-local/resolve-mjs-handlers.mjs', import.meta.url));
  return [
    `export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:${ports.dynamodb}`,
    `export AWS_ENDPOINT_URL_SNS=${aws}`,
    `export AWS_ENDPOINT_URL_IOT_DATA_PLANE=${aws}`,
    `export AWS_ENDPOINT_URL_SQS=${aws}`,
    `export AWS_ENDPOINT_URL_CLOUDFORMATION=${aws}`,
    `export AWS_ENDPOINT_URL_S3=${aws}`,
    'export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local',
    `export NODE_OPTIONS="--import=${resolveHook}"`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const args = parseStartArgs(process.argv.slice(2), process.env);
    if (args.help) {
      console.log(envUsage);
      process.exit(0);
    }
    console.log(invokeLocalExports(args.ports).join('\n'));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}
