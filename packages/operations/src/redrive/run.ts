// `pnpm redrive`'s I/O: receives each service's dead letters from SQS, replays them through Lambda Invoke (on AWS,
// or the local cloud's endpoint), sends work-queue messages back, and deletes what it handled. Decisions: plan.ts.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { deadLetterMessage } from '@evcharge/domain';
import {
  failedReplay,
  firstAttemptLetterKey,
  type InvokeResult,
  letterKey,
  matchesFilter,
  parseQueueArn,
  planReplay,
  redriveCountAttribute,
} from './plan.js';

/** Where a redrive reports each letter: the CLI's stdout/stderr, or a collector in the console's route. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export type Invoke = (functionName: string, payload: unknown) => Promise<InvokeResult>;

/** How long a listing (a dry run, the console's list) hides the letters it receives. */
export const PEEK_VISIBILITY_TIMEOUT_S = 2;

export interface RedriveOptions {
  sqs: SQSClient;
  invoke: Invoke;
  services: string[];
  stage: string;
  /** A function (full or short name); a work queue's letters match by their source queue's name instead. */
  functionFilter?: string;
  /** Only these letters (by SQS MessageId), e.g. the ones an operator selected in the console; the others are
   * made visible again at once. Name one service's letters per call (waits for a chosen letter a listing hides). */
  messageIds?: readonly string[];
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

export async function queueUrlOf(
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
export async function receiveAll(
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
    const visibilityTimeoutS =
      options.visibilityTimeoutS ?? (options.dryRun ? PEEK_VISIBILITY_TIMEOUT_S : 60);
    const messages = await receiveAll(sqs, queueUrl, written, visibilityTimeoutS);
    // A chosen letter someone is listing right now is hidden for a moment: receive again once it is back.
    for (let round = 0; options.messageIds && round < 2; round++) {
      const received = new Set(messages.map((message) => message.MessageId ?? ''));
      if (options.messageIds.every((id) => received.has(id))) break;
      await new Promise((resolve) => setTimeout(resolve, PEEK_VISIBILITY_TIMEOUT_S * 1000 + 500));
      messages.push(
        ...(await receiveAll(sqs, queueUrl, new Set([...written, ...received]), visibilityTimeoutS)),
      );
    }
    io.out(`${queueName}: ${messages.length} dead letter(s)`);
    const selected = options.messageIds ? new Set(options.messageIds) : undefined;
    for (const message of messages) {
      if (selected && !selected.has(message.MessageId ?? '')) {
        report.skipped++;
        // Not chosen: visible again at once, so a redrive of a few letters hides none of the others.
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
        continue;
      }
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
      const failure = failedReplay(plan, result, now().toISOString());
      if (failure) {
        const { letter } = failure;
        if (failure.supersedes) {
          const key = letterKey(plan.functionName, plan.payload);
          superseded.set(key, (superseded.get(key) ?? 0) + 1);
        }
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
    const key = firstAttemptLetterKey(message.Body ?? '');
    if (key === undefined) continue;
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
