// One worker thread per function: its own process.env (set by the parent), so module-scope config runs as on Lambda.
// It imports the function's bundle, built as `sls package` ships it; its linked source map names the TypeScript.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { moduleFile, handlerExport, functionName, memorySizeMb } = workerData;
process.setSourceMapsEnabled(true);
let handlerPromise;

function loadHandler() {
  handlerPromise ??= import(pathToFileURL(moduleFile).href).then((module) => {
    const handler = module[handlerExport];
    if (typeof handler !== 'function')
      throw new Error(`${moduleFile} does not export a function '${handlerExport}'`);
    return handler;
  });
  return handlerPromise;
}

function lambdaContext(requestId, deadline) {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memorySizeMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function serializeError(error) {
  if (error instanceof Error)
    return { errorType: error.name, errorMessage: error.message, stack: error.stack };
  return { errorType: 'Error', errorMessage: String(error) };
}

parentPort.on('message', async (message) => {
  if (message.type === 'load') {
    try {
      await loadHandler();
      parentPort.postMessage({ type: 'loaded', ok: true });
    } catch (error) {
      parentPort.postMessage({ type: 'loaded', ok: false, error: serializeError(error) });
    }
    return;
  }
  const { id, event, timeoutMs } = message;
  const requestId = message.requestId ?? randomUUID();
  try {
    const handler = await loadHandler();
    const result = await handler(event, lambdaContext(requestId, Date.now() + timeoutMs));
    parentPort.postMessage({ type: 'result', id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: serializeError(error) });
  }
});
