import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { localAccountId, queueNameFrom } from '../config/local-names.js';
import { InvalidQueueRequestError, type WorkQueues } from '../queues/work-queues.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import { sendJson } from './http-util.js';

interface SqsRequest {
  QueueUrl?: string;
  QueueName?: string;
  MessageBody?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  ReceiptHandle?: string;
  DelaySeconds?: number;
  /** ReceiveMessage: the system attributes to return (SDK v3's field; `AttributeNames` is the legacy one). */
  MessageSystemAttributeNames?: string[];
  AttributeNames?: string[];
}

/**
 * The part of SQS's JSON protocol the services need (SendMessage, ReceiveMessage, DeleteMessage, GetQueueUrl;
 * ChangeMessageVisibility on dead-letter queues):
 * on dead-letter queues, and on the work queues that `sqs` events consume.
 */
export function handleSqsJson(
  target: string,
  request: SqsRequest,
  response: ServerResponse,
  deadLetters: DeadLetterStore,
  awsEndpoint: string,
  /** Maps a deployed function name (what the middleware's letter carries) to the local `<service>.<fn>` id. */
  functionIdFor: (functionName: string) => string | undefined = () => undefined,
  workQueues?: WorkQueues,
): void {
  const queue = queueNameFrom(request.QueueUrl ?? request.QueueName ?? '');
  if (workQueues?.has(queue) && target !== 'GetQueueUrl') {
    handleWorkQueue(target, queue, request, response, workQueues);
    return;
  }
  if (!deadLetters.hasQueue(queue) && !workQueues?.has(queue)) {
    sqsError(
      response,
      'QueueDoesNotExist',
      'AWS.SimpleQueueService.NonExistentQueue',
      `The specified queue ${queue} does not exist.`,
    );
    return;
  }
  switch (target) {
    case 'SendMessage': {
      const body = request.MessageBody ?? '';
      const attributes = stringAttributes(request.MessageAttributes);
      const parsed = parseLetter(body);
      const record = deadLetters.add({
        queue,
        source: 'sqs-send',
        reason: parsed.reason ?? 'sent to the queue',
        payload: parsed.payload ?? body,
        ...(parsed.functionName
          ? { functionId: functionIdFor(parsed.functionName) ?? parsed.functionName }
          : {}),
        ...(parsed.attempts !== undefined ? { attempts: parsed.attempts } : {}),
        ...(parsed.firstFailureAt ? { firstFailureAt: parsed.firstFailureAt } : {}),
        ...(parsed.lastFailureAt ? { lastFailureAt: parsed.lastFailureAt } : {}),
        body,
        attributes,
      });
      sendJson(response, 200, { MessageId: record.id, MD5OfMessageBody: md5(body) }, jsonHeaders);
      return;
    }
    case 'ReceiveMessage': {
      const messages = deadLetters.receive(
        queue,
        request.MaxNumberOfMessages ?? 1,
        request.VisibilityTimeout ?? 30,
      );
      sendJson(
        response,
        200,
        {
          Messages: messages.map((message) => ({
            ...receivedMessage(request, message),
            MessageAttributes: Object.fromEntries(
              Object.entries(message.attributes).map(([name, value]) => [
                name,
                { DataType: 'String', StringValue: value },
              ]),
            ),
          })),
        },
        jsonHeaders,
      );
      return;
    }
    case 'DeleteMessage':
      deadLetters.delete(queue, request.ReceiptHandle ?? '');
      sendJson(response, 200, {}, jsonHeaders);
      return;
    case 'ChangeMessageVisibility':
      if (!deadLetters.changeVisibility(queue, request.ReceiptHandle ?? '', request.VisibilityTimeout ?? 0)) {
        sqsError(
          response,
          'ReceiptHandleIsInvalid',
          'ReceiptHandleIsInvalid',
          'The receipt handle is not valid.',
        );
        return;
      }
      sendJson(response, 200, {}, jsonHeaders);
      return;
    case 'GetQueueUrl':
      sendJson(response, 200, { QueueUrl: `${awsEndpoint}/000000000000/${queue}` }, jsonHeaders);
      return;
    default:
      sqsError(
        response,
        'InvalidAction',
        'AWS.SimpleQueueService.InvalidAction',
        `local SQS does not support ${target}`,
      );
  }
}

const jsonHeaders = { 'content-type': 'application/x-amz-json-1.0' };

function handleWorkQueue(
  target: string,
  queue: string,
  request: SqsRequest,
  response: ServerResponse,
  workQueues: WorkQueues,
): void {
  try {
    switch (target) {
      case 'SendMessage': {
        const body = request.MessageBody ?? '';
        const message = workQueues.send(
          queue,
          body,
          stringAttributes(request.MessageAttributes),
          request.DelaySeconds,
        );
        sendJson(response, 200, { MessageId: message.messageId, MD5OfMessageBody: md5(body) }, jsonHeaders);
        return;
      }
      case 'ReceiveMessage': {
        const messages = workQueues.receive(
          queue,
          request.MaxNumberOfMessages ?? 1,
          request.VisibilityTimeout,
        );
        sendJson(
          response,
          200,
          {
            Messages: messages.map((message) => receivedMessage(request, message)),
          },
          jsonHeaders,
        );
        return;
      }
      case 'DeleteMessage':
        workQueues.delete(queue, request.ReceiptHandle ?? '');
        sendJson(response, 200, {}, jsonHeaders);
        return;
      default:
        sqsError(
          response,
          'InvalidAction',
          'AWS.SimpleQueueService.InvalidAction',
          `local SQS does not support ${target}`,
        );
    }
  } catch (error) {
    if (!(error instanceof InvalidQueueRequestError)) throw error;
    sqsError(response, 'InvalidParameterValue', 'InvalidParameterValue', error.message);
  }
}

/** A message as ReceiveMessage returns it, from either kind of local queue. */
function receivedMessage(
  request: SqsRequest,
  message: {
    messageId: string;
    receiptHandle?: string | undefined;
    body: string;
    sentAt: number;
    receiveCount: number;
    firstReceivedAt?: number | undefined;
    systemAttributes?: Record<string, string>;
  },
) {
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: md5(message.body),
    Body: message.body,
    ...systemAttributes(request, {
      ...message.systemAttributes,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      SenderId: localAccountId,
    }),
  };
}

/** ReceiveMessage returns the system attributes asked for by name, or all of them for `All`. */
function systemAttributes(
  request: SqsRequest,
  available: Record<string, string>,
): { Attributes?: Record<string, string> } {
  const names = [...(request.MessageSystemAttributeNames ?? []), ...(request.AttributeNames ?? [])];
  if (names.length === 0) return {};
  const all = names.includes('All');
  const attributes = Object.fromEntries(
    Object.entries(available).filter(([name]) => all || names.includes(name)),
  );
  return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
}

function stringAttributes(attributes: SqsRequest['MessageAttributes']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, value]) => [name, value.StringValue ?? '']),
  );
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function parseLetter(body: string): {
  reason?: string;
  payload?: unknown;
  functionName?: string;
  attempts?: number;
  firstFailureAt?: string;
  lastFailureAt?: string;
} {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ReturnType<typeof parseLetter>) : {};
  } catch {
    return {};
  }
}

function sqsError(response: ServerResponse, type: string, queryCode: string, message: string): void {
  sendJson(
    response,
    400,
    { __type: `com.amazonaws.sqs#${type}`, message },
    { ...jsonHeaders, 'x-amzn-query-error': `${queryCode};Sender` },
  );
}
