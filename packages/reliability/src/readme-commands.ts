// The commands the READMEs show, and the harmless form of each that a newcomer can run (issue 19): after
// `npm start` / `npm test` a machine has Node and npm but no global pnpm, so every command must work with them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

export interface DocumentedCommand {
  /** The README, relative to the repository root. */
  file: string;
  line: number;
  command: string;
  /** Where it runs, relative to the repository root: a `cd` before it, or its README's folder for `npx pnpm exec`. */
  cwd: string;
}

/** Every README whose commands a newcomer may copy: the root one, docs, the bench, each service and package. */
export function documentedReadmes(root: string): string[] {
  const readmesIn = (group: string) =>
    readdirSync(join(root, group))
      .map((entry) => `${group}/${entry}/README.md`)
      .filter((file) => existsSync(join(root, file)));
  const docs = readdirSync(join(root, 'docs'))
    .filter((entry) => entry.endsWith('.md'))
    .map((entry) => `docs/${entry}`);
  return [
    'README.md',
    ...docs,
    'docs/security/dependencies.md',
    'bench/README.md',
    ...readmesIn('services'),
    ...readmesIn('packages'),
  ];
}

interface CodeSegment {
  line: number;
  code: string;
  /** A `cd DIR` earlier in the same fenced block. */
  blockCwd: string | undefined;
}

/** Fenced code lines (a `cd` line moves the rest of its block) and inline code spans, with their line numbers. */
export function codeSegments(markdown: string): CodeSegment[] {
  const segments: CodeSegment[] = [];
  let fenced = false;
  let blockCwd: string | undefined;
  for (const [index, text] of markdown.split('\n').entries()) {
    if (text.trimStart().startsWith('```')) {
      fenced = !fenced;
      blockCwd = undefined;
      continue;
    }
    if (fenced) {
      segments.push({ line: index + 1, code: text, blockCwd });
      const cd = /^\s*cd\s+(\S+)/.exec(text);
      if (cd) blockCwd = cd[1];
      continue;
    }
    for (const span of text.matchAll(/`([^`\n]+)`/g))
      segments.push({ line: index + 1, code: span[1] ?? '', blockCwd: undefined });
  }
  return segments;
}

// A command word: not part of a path or a name (`pnpm-lock.yaml`, `@evcharge/…`).
const commandStart = /(?<![\w/.@-])(npx pnpm|npm|npx|pnpm) /g;

/** `pnpm` run as a command, not through `npx` (a version such as `pnpm 10` is prose). */
export function barePnpm(code: string): boolean {
  return /(?<![\w/.@-])(?<!npx )pnpm (?=[a-z-])/.test(code);
}

/** Each `npm …` / `npx …` command in a piece of code, up to a comment, a closing `)`, quote or backquote, or `&&`. */
export function commandsIn(code: string): string[] {
  const commands: string[] = [];
  for (const match of code.matchAll(commandStart)) {
    const rest = code.slice(match.index);
    const end = rest.search(/\s#|\)|"|`|\s&&\s|;/);
    const command = (end < 0 ? rest : rest.slice(0, end)).replace(/\s*\\$/, '').trim();
    if (!command.startsWith('pnpm ')) commands.push(command);
  }
  return commands;
}

/** Every npm/npx command the READMEs show, and every line where one uses a bare `pnpm`. */
export function documentedCommands(root: string): { commands: DocumentedCommand[]; barePnpm: string[] } {
  const commands: DocumentedCommand[] = [];
  const bare: string[] = [];
  for (const file of documentedReadmes(root)) {
    const readmeDir = dirname(file);
    for (const segment of codeSegments(readFileSync(join(root, file), 'utf8'))) {
      if (barePnpm(segment.code)) bare.push(`${file}:${segment.line}: ${segment.code.trim()}`);
      const inlineCd = /^\s*cd\s+(\S+)\s+&&/.exec(segment.code)?.[1];
      for (const command of commandsIn(segment.code)) {
        if (/^npm run (-s )?</.test(command)) continue; // the general form `npm run <script> -- <args>`
        // `pnpm exec` and `pnpm -w` act on the folder they run in: a service README's run in its own folder.
        const folderCommand = /^npx pnpm (exec|-w)\b/.test(command) && readmeDir !== '.';
        const cwd = inlineCd ?? segment.blockCwd ?? (folderCommand ? readmeDir : '.');
        commands.push({ file, line: segment.line, command, cwd: normalize(cwd) });
      }
    }
  }
  return { commands, barePnpm: bare };
}

/** Why npm would not pass these arguments on as written, if it would not: npm needs `--` before them. */
export function npmArgumentProblem(command: string): string | undefined {
  const tokens = command.split(/\s+/);
  if (tokens[0] !== 'npm') return undefined;
  let rest: string[];
  if (tokens[1] === 'start' || tokens[1] === 'test') rest = tokens.slice(2);
  else if (tokens[1] === 'run') rest = tokens.slice(tokens[2] === '-s' ? 4 : 3);
  else return undefined;
  if (rest.length > 0 && rest[0] !== '--') return `arguments to an npm script must follow \`--\`: ${command}`;
  return undefined;
}

/**
 * What to run to prove the command works without doing its work: the same script or tool with `--help`
 * (scripts that need AWS or a running local cloud are checked this way only).
 */
export function harmlessForm(command: string): string {
  const tokens = command.split(/\s+/);
  if (tokens[0] === 'npm') {
    if (tokens[1] === 'start' || tokens[1] === 'test') return `npm ${tokens[1]} -- --help`;
    if (tokens[1] === 'run') return `npm run ${tokens[2] === '-s' ? tokens[3] : tokens[2]} -- --help`;
    return `npm ${tokens[1]} --help`;
  }
  if (tokens[0] === 'npx' && tokens[1] === 'pnpm') {
    const head = ['npx', 'pnpm'];
    let index = 2;
    for (;;) {
      const option = tokens[index];
      if (option === '-w') head.push(tokens[index++] ?? '');
      else if (option === '--filter' || option === '-C') head.push(option, tokens[index + 1] ?? '');
      else break;
      if (option !== '-w') index += 2;
    }
    // The command words (`exec serverless invoke local`), up to the first option or placeholder.
    while (index < tokens.length && /^[a-z][\w:-]*$/.test(tokens[index] ?? ''))
      head.push(tokens[index++] ?? '');
    return [...head, '--help'].join(' ');
  }
  throw new Error(`no harmless form known for '${command}': add one to harmlessForm`);
}
