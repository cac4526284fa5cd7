import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { NotificationStore, PublishedNotification } from '../state/notifications.js';
import { escapeXml, sendText } from './http-util.js';

const xmlns = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** SNS on the AWS query protocol (form-encoded `Action=Publish`), answering the XML the SDK parses. */
export function handleSnsQuery(
  form: URLSearchParams,
  response: ServerResponse,
  notifications: NotificationStore,
  knownTopicArns: Set<string>,
): void {
  const action = form.get('Action');
  if (action !== 'Publish') {
    snsError(response, 400, 'InvalidAction', `local SNS supports only Publish, not ${action}`);
    return;
  }
  const topicArn = form.get('TopicArn') ?? form.get('TargetArn') ?? '';
  if (!knownTopicArns.has(topicArn)) {
    snsError(response, 404, 'NotFound', `Topic does not exist: ${topicArn}`);
    return;
  }
  const message = form.get('Message');
  if (message === null || message === '') {
    snsError(response, 400, 'InvalidParameter', 'Invalid parameter: Empty message');
    return;
  }
  const subject = form.get('Subject');
  const published = notifications.add({
    topicArn,
    message,
    ...(subject ? { subject } : {}),
    attributes: messageAttributes(form),
  });
  const body = `<PublishResponse xmlns="${xmlns}"><PublishResult><MessageId>${published.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
  sendText(response, 200, body, 'text/xml');
}

function messageAttributes(form: URLSearchParams): PublishedNotification['attributes'] {
  const attributes: PublishedNotification['attributes'] = {};
  for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index++) {
    const prefix = `MessageAttributes.entry.${index}`;
    const name = form.get(`${prefix}.Name`) ?? '';
    const stringValue = form.get(`${prefix}.Value.StringValue`);
    attributes[name] = {
      DataType: form.get(`${prefix}.Value.DataType`) ?? 'String',
      ...(stringValue !== null ? { StringValue: stringValue } : {}),
    };
  }
  return attributes;
}

function snsError(response: ServerResponse, status: number, code: string, message: string): void {
  const body = `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  sendText(response, status, body, 'text/xml');
}
