// What `pnpm redrive` does with each dead letter, decided without I/O: where it goes back to, and the letter a
// failed replay becomes. The queues and Lambda calls are in run.ts.
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { DeadLetter, ErrorClass } from '@evcharge/domain';
import { isTransientErrorName, type Rejected } from '@evcharge/middleware';

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

export type InvokePlan = Extract<ReplayPlan, { kind: 'invoke' }>;

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

/** A letter's function (or a work-queue letter's queue) matches `--function` by its full or short name. */
export const matchesFilter = (name: string, filter: string | undefined): boolean =>
  filter === undefined || name === filter || name.endsWith(`-${filter}`);

export interface InvokeResult {
  /** Set when the function threw (Lambda's X-Amz-Function-Error). */
  functionError?: string;
  payload: unknown;
}

/**
 * A failed replay's class: transient when its error type is on the edge's list (classify-errors), or when its
 * message names a socket code (a Node socket error arrives as type `Error`, its code only in the message).
 */
export function errorClassOfType(errorType: string, errorMessage = ''): ErrorClass {
  return `${errorType} ${errorMessage}`.split(/\W+/).some(isTransientErrorName) ? 'transient' : 'bug';
}

const knownErrorClasses: readonly ErrorClass[] = ['bad-input', 'spoof', 'transient', 'bug'];

const isRejected = (value: unknown): value is Rejected => isObject(value) && value.rejected === true;

export interface FailedReplay {
  /** The letter written back: the failure, with its history (attempts + 1, first failure kept). */
  letter: DeadLetter;
  /** Refused as bad input again: the function wrote its own first-attempt letter, which this one replaces. */
  supersedes: boolean;
}

/** What a replay's result leaves behind: undefined when the function succeeded. */
export function failedReplay(
  plan: InvokePlan,
  result: InvokeResult,
  failedAt: string,
): FailedReplay | undefined {
  const withHistory = (failure: Pick<DeadLetter, 'errorClass' | 'field' | 'reason'>): DeadLetter => ({
    functionName: plan.functionName,
    ...failure,
    payload: plan.payload,
    attempts: plan.attempts + 1,
    firstFailureAt: plan.firstFailureAt,
    lastFailureAt: failedAt,
  });
  if (result.functionError) {
    const error = isObject(result.payload) ? result.payload : {};
    const errorType = String(error.errorType ?? result.functionError);
    const errorMessage = String(error.errorMessage ?? '');
    return {
      letter: withHistory({
        errorClass: errorClassOfType(errorType, errorMessage),
        reason: `${errorType}: ${errorMessage}`,
      }),
      supersedes: false,
    };
  }
  if (!isRejected(result.payload)) return undefined;
  const rejected = result.payload;
  return {
    letter: withHistory({
      errorClass: knownErrorClasses.includes(rejected.errorClass) ? rejected.errorClass : 'bad-input',
      field: rejected.field,
      reason: rejected.reason,
    }),
    supersedes: true,
  };
}

/** Pairs a replayed payload with the function's own letter for it. */
export const letterKey = (functionName: string, payload: unknown): string =>
  `${functionName}\n${JSON.stringify(payload)}`;

/** The key of a letter the function wrote itself on a first attempt (what a failed replay may supersede). */
export function firstAttemptLetterKey(body: string): string | undefined {
  let letter: unknown;
  try {
    letter = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(letter) || letter.attempts !== 1 || typeof letter.functionName !== 'string') return undefined;
  return letterKey(letter.functionName, letter.payload);
}
