// `pnpm redrive [--function X] [--dry-run] [--stage S]`: replays dead letters through the normal path (the
// function itself), after a fix. Works on AWS and against the local cloud (AWS_ENDPOINT_URL_SQS/_LAMBDA).
// A work queue's message that its RedrivePolicy moved is sent back to that queue; `--function` matches it by
// the queue's name (e.g. `--function meter-request-timers`).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type DeadLetter, deadLetterMessage, type ErrorClass } from '@evcharge/domain';
import { parseCliArgs, stringOption } from './cli/args.js';
import { type CommandIo, processIo, runCommand } from './cli/run.js';

export type ReplayPlan =
  | {
      kind: 'invoke';
      source: 'function-letter' | 'async-on-failure' | 'stream-on-failure' | 'rule-error';
      functionName: string;
      payload: unknown;
      attempts: number;
      firstFailureAt: string;
    }
  | {
      /** A work queue's message its RedrivePolicy moved here: sent back to that queue, to its consumer. */
      kind: 'resend';
      source: 'sqs-redrive';
      sourceQueueArn: string;
      queueName: string;
      body: string;
      messageAttributes: Record<string, MessageAttributeValue>;
      /** Earlier redrives of this message (its RedriveCount attribute). */
      redrives: number;
      firstFailureAt: string;
    }
  | { kind: 'keep'; why: string };

/** The message attribute a resent message carries: how many times it was redriven (its history). */
export const redriveCountAttribute = 'RedriveCount';

/** `arn:aws:sqs:region:account:name` → its parts. */
export function parseQueueArn(arn: string): { accountId: string; queueName: string } | undefined {
  const match = /^arn:aws[\w-]*:sqs:[^:]*:(\d+):([^:]+)$/.exec(arn);
  return match?.[1] && match[2] ? { accountId: match[1], queueName: match[2] } : undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `arn:aws:lambda:r:a:function:NAME[:qualifier]` → NAME; the local cloud's `<service>.<fn>` → the deployed name. */
export function functionNameFrom(resource: string, stage: string): string {
  const arn = /:function:([^:]+)/.exec(resource);
  if (arn?.[1]) return arn[1];
  const local = /^([^.]+)\.(.+)$/.exec(resource);
  return local ? `${local[1]}-${stage}-${local[2]}` : resource;
}

/** The SQS parts of a dead letter that planReplay reads besides its body. */
export interface LetterMessage {
  /** System attributes (SentTimestamp, DeadLetterQueueSourceArn, ...). */
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}

/**
 * What to replay for one dead letter, whatever wrote it: the middleware (bad input), Lambda's async on-failure
 * destination, a stream on-failure destination, an IoT rule's errorAction, or a work queue's RedrivePolicy
 * (the raw message, with SQS's DeadLetterQueueSourceArn).
 */
export function planReplay(
  body: string,
  stage: string,
  sentAt: Date,
  message: LetterMessage = {},
): ReplayPlan {
  const plan = planLetter(body, stage, sentAt);
  const sourceQueueArn = message.Attributes?.DeadLetterQueueSourceArn;
  if (plan.kind === 'invoke' || sourceQueueArn === undefined) return plan;
  const source = parseQueueArn(sourceQueueArn);
  if (!source) return { kind: 'keep', why: `unreadable DeadLetterQueueSourceArn ${sourceQueueArn}` };
  const messageAttributes = message.MessageAttributes ?? {};
  const redrives = Number(messageAttributes[redriveCountAttribute]?.StringValue ?? 0);
  return {
    kind: 'resend',
    source: 'sqs-redrive',
    sourceQueueArn,
    queueName: source.queueName,
    body,
    messageAttributes,
    redrives: Number.isInteger(redrives) && redrives > 0 ? redrives : 0,
    firstFailureAt: sentAt.toISOString(),
  };
}

function planLetter(body: string, stage: string, sentAt: Date): ReplayPlan {
  let letter: unknown;
  try {
    letter = JSON.parse(body);
  } catch {
    return { kind: 'keep', why: 'body is not JSON' };
  }
  if (!isObject(letter)) return { kind: 'keep', why: 'body is not an object' };
  const sentIso = sentAt.toISOString();
  if (typeof letter.functionName === 'string' && 'payload' in letter) {
    return {
      kind: 'invoke',
      source: 'function-letter',
      functionName: letter.functionName,
      payload: letter.payload,
      attempts: typeof letter.attempts === 'number' ? letter.attempts : 1,
      firstFailureAt: typeof letter.firstFailureAt === 'string' ? letter.firstFailureAt : sentIso,
    };
  }
  const requestContext = isObject(letter.requestContext) ? letter.requestContext : undefined;
  if (requestContext && typeof requestContext.functionArn === 'string') {
    const functionName = functionNameFrom(requestContext.functionArn, stage);
    const attempts =
      typeof requestContext.approximateInvokeCount === 'number' ? requestContext.approximateInvokeCount : 1;
    const firstFailureAt = typeof letter.timestamp === 'string' ? letter.timestamp : sentIso;
    if ('requestPayload' in letter) {
      return {
        kind: 'invoke',
        source: 'async-on-failure',
        functionName,
        payload: letter.requestPayload,
        attempts,
        firstFailureAt,
      };
    }
    if (isObject(letter.DDBStreamBatchInfo)) {
      // AWS records only the batch's position; the local cloud also keeps the records themselves.
      if (!Array.isArray(letter.records)) {
        return {
          kind: 'keep',
          why: 'stream batch without records: re-read it from the stream by sequence number',
        };
      }
      return {
        kind: 'invoke',
        source: 'stream-on-failure',
        functionName,
        payload: { Records: letter.records },
        attempts,
        firstFailureAt,
      };
    }
  }
  if (typeof letter.base64OriginalPayload === 'string' && typeof letter.topic === 'string') {
    const failures = Array.isArray(letter.failures) ? letter.failures.filter(isObject) : [];
    const resource = failures.find((failure) => typeof failure.failedResource === 'string')?.failedResource;
    if (typeof resource !== 'string') return { kind: 'keep', why: 'rule error without a failed function' };
    const text = Buffer.from(letter.base64OriginalPayload, 'base64').toString('utf8');
    let original: unknown = text;
    try {
      original = JSON.parse(text);
    } catch {
      // Not JSON: the function receives it as is and refuses it as bad input, naming why.
    }
    // Rebuild what the device rules' SELECT gives the function (topic(2), clientid(), timestamp()).
    const payload = isObject(original)
      ? {
          ...original,
          chargerId: letter.topic.split('/')[1],
          clientId: typeof letter.clientId === 'string' ? letter.clientId : undefined,
          receivedAt: sentAt.getTime(),
        }
      : original;
    return {
      kind: 'invoke',
      source: 'rule-error',
      functionName: functionNameFrom(resource, stage),
      payload,
      attempts: 1,
      firstFailureAt: sentIso,
    };
  }
  return { kind: 'keep', why: 'unknown dead-letter shape' };
}

export interface InvokeResult {
  /** Set when the function threw (Lambda's X-Amz-Function-Error). */
  functionError?: string;
  payload: unknown;
}

export type Invoke = (functionName: string, payload: unknown) => Promise<InvokeResult>;

// Error types a later redrive may fix (the middleware's list, by name).
const transientTypes =
  /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|InternalServerError|ServiceUnavailable|TransactionConflict|TransactionInProgress|Timeout|ECONNREFUSED|ECONNRESET|ETIMEDOUT|TransientError/;

const knownErrorClasses: readonly ErrorClass[] = ['bad-input', 'spoof', 'transient', 'bug'];

export function errorClassOfType(errorType: string): ErrorClass {
  if (transientTypes.test(errorType)) return 'transient';
  return 'bug';
}

export interface RedriveOptions {
  sqs: SQSClient;
  invoke: Invoke;
  services: string[];
  stage: string;
  /** A function (full or short name); a work queue's letters match by their source queue's name instead. */
  functionFilter?: string;
  dryRun: boolean;
  /** How long received letters stay hidden from other consumers during the run (default 60 s; 2 s for a dry run). */
  visibilityTimeoutS?: number;
  io: CommandIo;
  now?: () => Date;
}

export interface RedriveReport {
  examined: number;
  replayed: number;
  failedAgain: number;
  kept: number;
  skipped: number;
  /** Work-queue messages sent back to their queue (their consumer's outcome comes later, through SQS). */
  resent: number;
}

interface RejectedResult {
  rejected: true;
  errorClass: ErrorClass;
  field: string;
  reason: string;
}

const isRejected = (value: unknown): value is RejectedResult => isObject(value) && value.rejected === true;

const matchesFilter = (functionName: string, filter: string | undefined) =>
  filter === undefined || functionName === filter || functionName.endsWith(`-${filter}`);

async function queueUrlOf(
  sqs: SQSClient,
  queueName: string,
  ownerAccountId?: string,
): Promise<string | undefined> {
  try {
    return (
      await sqs.send(
        new GetQueueUrlCommand({
          QueueName: queueName,
          ...(ownerAccountId ? { QueueOwnerAWSAccountId: ownerAccountId } : {}),
        }),
      )
    ).QueueUrl;
  } catch (error) {
    if (error instanceof Error && /QueueDoesNotExist|NonExistentQueue/.test(`${error.name} ${error.message}`))
      return undefined;
    throw error;
  }
}

/**
 * Receives every visible message once. Received messages stay hidden for `visibilityTimeoutS` (a dry run
 * uses a short one, so a real run right after it sees them again); ids already seen end the listing.
 */
async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  skip: Set<string>,
  visibilityTimeoutS: number,
): Promise<Message[]> {
  const messages: Message[] = [];
  const seen = new Set(skip);
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilityTimeoutS,
        WaitTimeSeconds: 0,
        // All: SentTimestamp, ApproximateReceiveCount, and DeadLetterQueueSourceArn on a redrive-moved message.
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) return messages;
    for (const message of fresh) seen.add(message.MessageId ?? '');
    messages.push(...fresh.filter((message) => !skip.has(message.MessageId ?? '')));
  }
}

const letterKey = (functionName: string, payload: unknown) => `${functionName}\n${JSON.stringify(payload)}`;

/**
 * Replays each dead letter by invoking its function synchronously with the original payload (the handlers
 * are idempotent). Success deletes the letter. A failure goes back as one letter with its history
 * (attempts + 1, first failure kept); when the function refused it as bad input again, the fresh letter the
 * function wrote itself is superseded by that one and removed.
 */
export async function redrive(options: RedriveOptions): Promise<RedriveReport> {
  const { sqs, io, stage } = options;
  const now = options.now ?? (() => new Date());
  const report: RedriveReport = { examined: 0, replayed: 0, failedAgain: 0, kept: 0, skipped: 0, resent: 0 };
  const sourceQueueUrls = new Map<string, Promise<string | undefined>>();
  for (const service of options.services) {
    const queueName = `${service}-${stage}-dead-letters`;
    const queueUrl = await queueUrlOf(sqs, queueName);
    if (!queueUrl) {
      io.out(`${queueName}: no such queue`);
      continue;
    }
    const written = new Set<string>();
    const superseded = new Map<string, number>();
    const messages = await receiveAll(
      sqs,
      queueUrl,
      written,
      options.visibilityTimeoutS ?? (options.dryRun ? 2 : 60),
    );
    io.out(`${queueName}: ${messages.length} dead letter(s)`);
    for (const message of messages) {
      const sentAt = new Date(Number(message.Attributes?.SentTimestamp ?? now().getTime()));
      const plan = planReplay(message.Body ?? '', stage, sentAt, message);
      report.examined++;
      if (plan.kind === 'keep') {
        report.kept++;
        io.out(`  keep ${message.MessageId}: ${plan.why}`);
        continue;
      }
      if (plan.kind === 'resend') {
        if (!matchesFilter(plan.queueName, options.functionFilter)) {
          report.skipped++;
          continue;
        }
        const label = `queue ${plan.queueName} (sqs-redrive, received ${message.Attributes?.ApproximateReceiveCount ?? '?'} time(s) here, redriven ${plan.redrives} time(s) before, since ${plan.firstFailureAt})`;
        if (options.dryRun) {
          io.out(`  would resend ${message.MessageId} → ${label}`);
          continue;
        }
        const source = parseQueueArn(plan.sourceQueueArn);
        if (!sourceQueueUrls.has(plan.sourceQueueArn) && source)
          sourceQueueUrls.set(plan.sourceQueueArn, queueUrlOf(sqs, source.queueName, source.accountId));
        const sourceUrl = await sourceQueueUrls.get(plan.sourceQueueArn);
        if (!sourceUrl) {
          report.kept++;
          io.out(`  keep ${message.MessageId}: source queue ${plan.queueName} does not exist`);
          continue;
        }
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: sourceUrl,
            MessageBody: plan.body,
            DelaySeconds: 0,
            MessageAttributes: {
              ...plan.messageAttributes,
              [redriveCountAttribute]: { DataType: 'Number', StringValue: String(plan.redrives + 1) },
            },
          }),
        );
        // Only once the message is back in its queue: a failed send leaves the letter where it was.
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        report.resent++;
        io.out(`  resent ${message.MessageId} → ${label}`);
        continue;
      }
      if (!matchesFilter(plan.functionName, options.functionFilter)) {
        report.skipped++;
        continue;
      }
      const label = `${plan.functionName} (${plan.source}, attempts ${plan.attempts}, since ${plan.firstFailureAt})`;
      if (options.dryRun) {
        io.out(`  would replay ${message.MessageId} → ${label}`);
        continue;
      }
      const result = await options.invoke(plan.functionName, plan.payload);
      const failedAt = now().toISOString();
      let letter: DeadLetter | undefined;
      if (result.functionError) {
        const error = isObject(result.payload) ? result.payload : {};
        const errorType = String(error.errorType ?? result.functionError);
        letter = {
          functionName: plan.functionName,
          errorClass: errorClassOfType(`${errorType} ${String(error.errorMessage ?? '')}`),
          reason: `${errorType}: ${String(error.errorMessage ?? '')}`,
          payload: plan.payload,
          attempts: plan.attempts + 1,
          firstFailureAt: plan.firstFailureAt,
          lastFailureAt: failedAt,
        };
      } else if (isRejected(result.payload)) {
        const rejected = result.payload;
        letter = {
          functionName: plan.functionName,
          errorClass: knownErrorClasses.includes(rejected.errorClass) ? rejected.errorClass : 'bad-input',
          field: rejected.field,
          reason: rejected.reason,
          payload: plan.payload,
          attempts: plan.attempts + 1,
          firstFailureAt: plan.firstFailureAt,
          lastFailureAt: failedAt,
        };
        const key = letterKey(plan.functionName, plan.payload);
        superseded.set(key, (superseded.get(key) ?? 0) + 1);
      }
      if (letter) {
        const { MessageId } = await sqs.send(
          new SendMessageCommand({ QueueUrl: queueUrl, ...deadLetterMessage(letter) }),
        );
        if (MessageId) written.add(MessageId);
        report.failedAgain++;
        io.out(
          `  failed again ${message.MessageId} → ${label}: ${letter.errorClass} ${letter.field ?? ''} ${letter.reason}`,
        );
      } else {
        report.replayed++;
        io.out(`  replayed ${message.MessageId} → ${label}`);
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    if (superseded.size > 0) await removeSuperseded(sqs, queueUrl, written, superseded);
  }
  io.out(
    `redrive: examined=${report.examined} replayed=${report.replayed} failed-again=${report.failedAgain} kept=${report.kept} skipped=${report.skipped} resent=${report.resent}${options.dryRun ? ' (dry run)' : ''}`,
  );
  return report;
}

// The function's own first-attempt letter for a payload that was just re-sent with its history.
async function removeSuperseded(
  sqs: SQSClient,
  queueUrl: string,
  written: Set<string>,
  superseded: Map<string, number>,
): Promise<void> {
  // A short visibility: this pass also receives (hides) the letters written back a moment ago.
  const messages = await receiveAll(sqs, queueUrl, written, 1);
  for (const message of messages) {
    let letter: unknown;
    try {
      letter = JSON.parse(message.Body ?? '');
    } catch {
      continue;
    }
    if (!isObject(letter) || letter.attempts !== 1 || typeof letter.functionName !== 'string') continue;
    const key = letterKey(letter.functionName, letter.payload);
    const remaining = superseded.get(key) ?? 0;
    if (remaining === 0) continue;
    superseded.set(key, remaining - 1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}

/** Lambda Invoke (RequestResponse); AWS_ENDPOINT_URL_LAMBDA points it at the local cloud. */
export async function lambdaInvoke(): Promise<Invoke> {
  const client = new LambdaClient({});
  return async (functionName, payload) => {
    const output = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );
    const body = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
    return {
      ...(typeof output.FunctionError === 'string' ? { functionError: output.FunctionError } : {}),
      payload: body ? JSON.parse(body) : undefined,
    };
  };
}

/** The Lambda Invoke REST call without signing: only for the local cloud's endpoint. */
export function httpInvoke(endpoint: string): Invoke {
  return async (functionName, payload) => {
    const response = await fetch(
      `${endpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: JSON.stringify(payload),
      },
    );
    const text = await response.text();
    if (!response.ok) throw new Error(`Invoke ${functionName}: HTTP ${response.status} ${text}`);
    const functionError = response.headers.get('x-amz-function-error');
    return { ...(functionError ? { functionError } : {}), payload: text ? JSON.parse(text) : undefined };
  };
}

const repoRoot = resolve(import.meta.dirname, '../../..');

/** Every services/* folder with a serverless.yml, by its `service:` name. */
export function serviceNamesIn(servicesDir = join(repoRoot, 'services')): string[] {
  return readdirSync(servicesDir)
    .map((entry) => {
      try {
        return /^service:\s*(\S+)/m.exec(
          readFileSync(join(servicesDir, entry, 'serverless.yml'), 'utf8'),
        )?.[1];
      } catch {
        return undefined;
      }
    })
    .filter((name): name is string => name !== undefined)
    .sort();
}

const usage = 'usage: pnpm redrive [--function <name>] [--dry-run] [--stage <stage>] [--service <service>]';

export async function runRedriveCli(
  argv: string[],
  io: CommandIo = processIo,
  env = process.env,
): Promise<number> {
  return runCommand(
    async () => {
      const { values } = parseCliArgs(argv, {
        function: { type: 'string' },
        service: { type: 'string' },
        stage: { type: 'string' },
        'dry-run': { type: 'boolean' },
      });
      const stage = stringOption(values, 'stage') ?? env.STAGE ?? 'local';
      const service = stringOption(values, 'service');
      const functionFilter = stringOption(values, 'function');
      await redrive({
        sqs: new SQSClient({}),
        invoke: values['dry-run'] === true ? async () => ({ payload: null }) : await lambdaInvoke(),
        services: service ? [service] : serviceNamesIn(),
        stage,
        ...(functionFilter ? { functionFilter } : {}),
        dryRun: values['dry-run'] === true,
        io,
      });
    },
    usage,
    io,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runRedriveCli(process.argv.slice(2));
}
