import { SQSClient } from '@aws-sdk/client-sqs';

/** The services' dead-letter queues (and, for a resend, the work queue a letter came from). */
export const sqs = new SQSClient({});
