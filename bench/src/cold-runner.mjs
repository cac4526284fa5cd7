// Runs in a fresh Node process: imports one bundled handler and invokes it once, like a Lambda cold start.
// argv: <bundle.mjs> <export>; the event and context come as JSON in BENCH_EVENT / BENCH_FUNCTION_NAME.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const bootMs = performance.now();
const [bundlePath, exportName] = process.argv.slice(2);
const importStart = performance.now();
const module = await import(pathToFileURL(bundlePath).href);
const initMs = performance.now() - importStart;
const functionName = process.env.BENCH_FUNCTION_NAME ?? 'bench';
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 10_000,
};
const invokeStart = performance.now();
let failed;
let outcome;
try {
  const result = await module[exportName](JSON.parse(process.env.BENCH_EVENT ?? '{}'), context);
  // A refusal is a cold start of the refusal path, not of the function's work: the row is failed too.
  if (result?.rejected === true) failed = `rejected (${result.errorClass}): ${result.field} ${result.reason}`;
  else if (result?.batchItemFailures?.length > 0)
    failed = `${result.batchItemFailures.length} batch item(s) failed`;
  else if (result?.statusCode >= 500) failed = `HTTP ${result.statusCode}`;
  else if (result?.statusCode >= 400) outcome = `HTTP ${result.statusCode}`;
} catch (error) {
  failed = String(error);
}
const invokeMs = performance.now() - invokeStart;
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify({ bootMs, initMs, invokeMs, failed, outcome })}\n`);
// SDK keep-alive sockets would hold the process open; Lambda freezes it instead.
process.exit(0);
