import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

// What a default deploy configures, read from serverless.common.yml and the services' serverless.yml, so the
// bench measures and prices what AWS would run (memory, log levels) and follows the config when it changes.

const commonText = () => readFileSync(join(repoRoot, 'serverless.common.yml'), 'utf8');

function commonParam(name: string): string {
  const match = new RegExp(`^params:[\\s\\S]*?^ {2}${name}:\\s*'?(\\w+)`, 'm').exec(commonText());
  if (!match) throw new Error(`serverless.common.yml has no params.${name}`);
  return match[1]!;
}

/** The application log level of a deploy (params.logLevel; POWERTOOLS_LOG_LEVEL and Lambda's applicationLogLevel). */
export const deployedLogLevel = (): string => commonParam('logLevel');

/** Lambda's system log level of a deploy (params.systemLogLevel): WARN leaves out START/END/REPORT. */
export const deployedSystemLogLevel = (): string => commonParam('systemLogLevel');

/** provider.memorySize of serverless.common.yml, which every service takes. */
export function commonMemoryMb(): number {
  const match = /^\s+memorySize:\s*(\d+)/m.exec(commonText());
  if (!match) throw new Error('serverless.common.yml has no provider.memorySize');
  return Number(match[1]);
}

/**
 * The memory a function runs with: its own `memorySize` in its service's serverless.yml, else the common one.
 * `functionId` is `<service>.<function>`, as the bench names functions.
 */
export function configuredMemoryMb(functionId?: string): number {
  if (!functionId) return commonMemoryMb();
  const [service, name] = functionId.split('.');
  const file = join(repoRoot, 'services', service ?? '', 'serverless.yml');
  if (!name || !existsSync(file)) return commonMemoryMb();
  const text = readFileSync(file, 'utf8');
  const start = new RegExp(`^ {2}${name}:\\n {4}handler:`, 'm').exec(text);
  if (!start) return commonMemoryMb();
  const rest = text.slice(start.index + 1);
  const next = /^ {2}[\w-]+:\n {4}handler:|^\S/m.exec(rest);
  const block = rest.slice(0, next ? next.index : rest.length);
  const own = /^ {4}memorySize:\s*(\d+)/m.exec(block);
  return own ? Number(own[1]) : commonMemoryMb();
}
