import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readZipTextEntries } from '@evcharge/testing';
import { servicesDir } from './templates.js';

/**
 * The handler code `sls package` put in `services/<svc>/.serverless/<fn>.zip` (its .mjs/.js entries,
 * concatenated): what would run on Lambda. Undefined when the zip is missing.
 */
export function shippedHandlerSource(service: string, functionName: string): string | undefined {
  const zipPath = join(servicesDir, service, '.serverless', `${functionName}.zip`);
  if (!existsSync(zipPath)) return undefined;
  return [...readZipTextEntries(zipPath, /\.m?js$/).values()].join('\n');
}
