import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { LocalStack } from '../config/model.js';
import { escapeXml, sendText } from './http-util.js';

const xmlns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export interface LocalCloudFormation {
  exports: () => Record<string, string>;
  stacks: () => LocalStack[];
}

/**
 * The two CloudFormation reads `sls invoke local` makes to resolve `Fn::ImportValue` and `Ref` in a function's
 * environment (ListExports, ListStackResources), answered from the local resources, on the query protocol.
 */
export function handleCloudFormationQuery(
  form: URLSearchParams,
  response: ServerResponse,
  cloudFormation: LocalCloudFormation,
): void {
  const action = form.get('Action');
  if (action === 'ListExports') {
    const members = Object.entries(cloudFormation.exports())
      .map(
        ([name, value]) =>
          `<member><ExportingStackId>arn:aws:cloudformation:us-east-1:000000000000:stack/storage-local/local</ExportingStackId><Name>${escapeXml(name)}</Name><Value>${escapeXml(value)}</Value></member>`,
      )
      .join('');
    reply(response, action, `<Exports>${members}</Exports>`);
    return;
  }
  if (action === 'ListStackResources') {
    const stackName = form.get('StackName') ?? '';
    const stack = cloudFormation.stacks().find((candidate) => candidate.stackName === stackName);
    if (!stack) {
      const body = `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escapeXml(stackName)} does not exist</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
      sendText(response, 400, body, 'text/xml');
      return;
    }
    const now = new Date().toISOString();
    const members = stack.resources
      .map(
        (resource) =>
          `<member><LogicalResourceId>${escapeXml(resource.logicalId)}</LogicalResourceId><PhysicalResourceId>${escapeXml(resource.physicalId)}</PhysicalResourceId><ResourceType>${escapeXml(resource.type)}</ResourceType><LastUpdatedTimestamp>${now}</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>`,
      )
      .join('');
    reply(response, action, `<StackResourceSummaries>${members}</StackResourceSummaries>`);
    return;
  }
  const body = `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>local CloudFormation supports only ListExports and ListStackResources</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  sendText(response, 400, body, 'text/xml');
}

function reply(response: ServerResponse, action: string, result: string): void {
  const body = `<${action}Response xmlns="${xmlns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  sendText(response, 200, body, 'text/xml');
}
