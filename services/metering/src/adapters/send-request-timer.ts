import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { RequestTimer, SendRequestTimer } from '../request-timer.js';

// Module scope: one client per cold start. The endpoint comes from AWS_ENDPOINT_URL_SQS locally.
const client = new SQSClient({});

/** Arms a request's precise time-out: the message becomes visible (to meterRequestTimer) after delayS. */
export const sendRequestTimer: SendRequestTimer = async (
  queueUrl: string,
  timer: RequestTimer,
  delayS: number,
): Promise<void> => {
  await client.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(timer), DelaySeconds: delayS }),
  );
};
