#!/usr/bin/env node
// The README's test command. Runs every jest suite in two lanes, one after the other, so that no suite's
// outcome depends on which others run beside it:
// - shared lane: the unit and integration suites, in one jest run, two suites at a time (jest's default on
//   two cores is one worker; these suites must pass beside any other, and two workers halve the lane);
// - isolated lane: the heavy suites (end-to-end, reliability, concurrency races: a `@lane isolated` pragma
//   or a tests/e2e folder), each alone in its own jest process with its own DynamoDB Local, nothing beside it.
//   (One DynamoDB Local for every suite saves a JVM start, about 2 s a suite, but it slows down as the suites'
//   tables pile up: the sweeper suite took 112 s instead of 23 and the anomaly detection missed its windows.)
// Arguments select suites as jest's do (`--selectProjects heartbeat`, a path pattern); `-t name` also reaches
// each lane's run. TEST_LANE=shared|isolated runs one lane; TEST_SHARED_WORKERS=n sets the shared lane's
// workers; TEST_LOGS=1 prints handler logs (otherwise a failing test prints its own).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isIsolated } from '../packages/testing/src/lanes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jestBin = join(root, 'node_modules/jest/bin/jest.js');
const args = process.argv.slice(2);
const lane = process.env.TEST_LANE ?? 'all';

if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: npm test -- [--selectProjects <package>] [<path pattern>] [-t <test name>]
  every jest suite in two lanes: shared (one jest run) and isolated (each heavy suite alone);
  the arguments select suites as jest's do. TEST_LANE=shared|isolated runs one lane;
  TEST_LOGS=1 prints every handler log line. \`npm run reliability -- [suite]\` runs the reliability suites at full size.`);
  process.exit(0);
}

const isolatedSuite = (file) => isIsolated(root, file);

function jest(jestArgs, options = {}) {
  const node = ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];
  return spawnSync(process.execPath, [...node, jestBin, ...jestArgs], {
    cwd: root,
    stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
  });
}

/** `-t name` / `--testNamePattern name` (or `=name`): the part of the arguments that each lane's run needs too. */
function testNameArgs() {
  const picked = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-t' || args[i] === '--testNamePattern') picked.push(args[i], args[++i]);
    else if (args[i].startsWith('--testNamePattern=')) picked.push(args[i]);
  }
  return picked;
}

function listTests() {
  const listed = jest(['--listTests', '--json', ...args], { capture: true });
  if (listed.status !== 0) process.exit(listed.status ?? 1);
  return JSON.parse(listed.stdout).sort();
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const started = Date.now();
const files = listTests();
const shared = files.filter((file) => !isolatedSuite(file));
const isolated = files.filter(isolatedSuite);
const results = [];
const reports = mkdtempSync(join(tmpdir(), 'evcharge-test-'));

/** One jest run of these files; its counts come from jest's own JSON report. */
function runLane(name, laneFiles, extra = []) {
  const laneStarted = Date.now();
  const outputFile = join(reports, `${results.length}.json`);
  const run = jest([
    '--runTestsByPath',
    ...laneFiles,
    ...testNameArgs(),
    ...extra,
    '--json',
    `--outputFile=${outputFile}`,
  ]);
  let counts = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0 };
  try {
    counts = JSON.parse(readFileSync(outputFile, 'utf8'));
  } catch {
    // no report: jest itself failed before running anything, which its exit status says
  }
  results.push({
    name,
    ok: run.status === 0,
    ms: Date.now() - laneStarted,
    passed: counts.numPassedTests,
    failed: counts.numFailedTests,
    skipped: counts.numPendingTests,
  });
}

if (lane !== 'isolated' && shared.length > 0) {
  console.error(`\n=== shared lane: ${shared.length} suites in one jest run`);
  runLane('shared lane', shared, [`--maxWorkers=${process.env.TEST_SHARED_WORKERS ?? 2}`]);
}

if (lane !== 'shared') {
  for (const [index, file] of isolated.entries()) {
    const name = relative(root, file);
    console.error(`\n=== isolated lane ${index + 1}/${isolated.length}: ${name}`);
    runLane(name, [file]);
  }
}

rmSync(reports, { recursive: true, force: true });
const failedRuns = results.filter((result) => !result.ok);
const sum = (key) => results.reduce((total, result) => total + result[key], 0);
console.error(`\n=== lanes: ${results.length} jest runs in ${seconds(Date.now() - started)}`);
for (const result of results)
  console.error(
    `${result.ok ? 'ok  ' : 'FAIL'} ${seconds(result.ms).padStart(8)}  ${String(result.passed).padStart(5)} passed  ${result.name}`,
  );
// The closing line counts tests, not runs; a run that failed without a failed test (a suite that did not
// load, a hook) still counts as one failure.
const failedTests = results.reduce(
  (total, result) => total + (result.ok ? result.failed : Math.max(result.failed, 1)),
  0,
);
console.log(`tests: ${sum('passed')} passed, ${failedTests} failed, ${sum('skipped')} skipped`);
process.exit(failedRuns.length > 0 ? 1 : 0);
