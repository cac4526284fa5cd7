// What `npm run redrive -- --dry-run` sees, as data: each service's dead letters with their reason and class,
// received with a short visibility timeout and never deleted (an SQS queue cannot be read without receiving).
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ErrorClass } from '@evcharge/domain';
import { errorClassOfType, planReplay } from './plan.js';
import { PEEK_VISIBILITY_TIMEOUT_S, queueUrlOf, receiveAll } from './run.js';

export interface DeadLetterSummary {
  queue: string;
  messageId: string;
  sentAt: string;
  /** What a redrive does with it: replay it through a function, resend it to its queue, or keep it (and why). */
  replay: 'invoke' | 'resend' | 'keep';
  /** The function it replays through, or the work queue it goes back to. */
  target?: string;
  source?: string;
  errorClass?: ErrorClass;
  field?: string;
  reason: string;
  attempts?: number;
  firstFailureAt?: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const knownClasses: readonly string[] = ['bad-input', 'spoof', 'transient', 'bug'];

/** The failure a letter records, whichever edge wrote it (middleware letter, Lambda destination, rule error). */
export function failureOf(body: string): { errorClass?: ErrorClass; field?: string; reason: string } {
  let letter: unknown;
  try {
    letter = JSON.parse(body);
  } catch {
    return { reason: 'body is not JSON' };
  }
  if (!isObject(letter)) return { reason: 'body is not an object' };
  if (typeof letter.reason === 'string') {
    return {
      ...(typeof letter.errorClass === 'string' && knownClasses.includes(letter.errorClass)
        ? { errorClass: letter.errorClass as ErrorClass }
        : {}),
      ...(typeof letter.field === 'string' ? { field: letter.field } : {}),
      reason: letter.reason,
    };
  }
  const response = isObject(letter.responsePayload) ? letter.responsePayload : undefined;
  if (response && typeof response.errorType === 'string') {
    const message = typeof response.errorMessage === 'string' ? response.errorMessage : '';
    return {
      errorClass: errorClassOfType(response.errorType, message),
      reason: `${response.errorType}: ${message}`,
    };
  }
  const context = isObject(letter.requestContext) ? letter.requestContext : undefined;
  if (context && typeof context.condition === 'string') return { reason: context.condition };
  const failures = Array.isArray(letter.failures) ? letter.failures.filter(isObject) : [];
  const failure = failures.find((entry) => typeof entry.errorMessage === 'string');
  if (failure) return { reason: String(failure.errorMessage) };
  return { reason: 'unknown dead-letter shape' };
}

/** Every service's dead letters, oldest first per queue; none is deleted and each reappears within 2 s. */
export async function listDeadLetters(options: {
  sqs: SQSClient;
  services: string[];
  stage: string;
}): Promise<DeadLetterSummary[]> {
  const letters: DeadLetterSummary[] = [];
  for (const service of options.services) {
    const queue = `${service}-${options.stage}-dead-letters`;
    const queueUrl = await queueUrlOf(options.sqs, queue);
    if (!queueUrl) continue;
    const messages = await receiveAll(options.sqs, queueUrl, new Set(), PEEK_VISIBILITY_TIMEOUT_S);
    for (const message of messages) {
      const body = message.Body ?? '';
      const sentAt = new Date(Number(message.Attributes?.SentTimestamp ?? Date.now()));
      const plan = planReplay(body, options.stage, sentAt, message);
      letters.push({
        queue,
        messageId: message.MessageId ?? '',
        sentAt: sentAt.toISOString(),
        replay: plan.kind,
        ...(plan.kind === 'invoke'
          ? {
              target: plan.functionName,
              source: plan.source,
              attempts: plan.attempts,
              firstFailureAt: plan.firstFailureAt,
            }
          : {}),
        ...(plan.kind === 'resend'
          ? { target: plan.queueName, source: plan.source, firstFailureAt: plan.firstFailureAt }
          : {}),
        ...failureOf(body),
        ...(plan.kind === 'keep' ? { reason: `${failureOf(body).reason} (kept: ${plan.why})` } : {}),
      });
    }
  }
  return letters;
}
