import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type NotificationBody, notificationAttributes, notificationBodySchema } from '@evcharge/domain';

// Module scope: created once per cold start; AWS_ENDPOINT_URL_SNS points it at the local cloud.
const sns = new SNSClient({});

/** Publishes one notification; its attributes let subscribers filter on kind, audience, userId, chargerId. */
export async function publishNotification(topicArn: string, body: NotificationBody): Promise<string> {
  const message = notificationBodySchema.parse(body);
  const attributes = Object.entries(notificationAttributes(message)).map(([name, value]) => [
    name,
    { DataType: 'String', StringValue: value },
  ]);
  const output = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify(message),
      MessageAttributes: Object.fromEntries(attributes),
    }),
  );
  return output.MessageId ?? '';
}
