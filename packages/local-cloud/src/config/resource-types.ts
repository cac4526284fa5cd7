// What the local cloud does with each CloudFormation resource type: runs it, or accepts and ignores it (with why).
// Any other type fails start-up by name, so nothing a service declares is silently missing locally.

const emulated = new Set([
  'AWS::DynamoDB::Table',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::IoT::TopicRule',
  'AWS::Kinesis::Stream',
  'AWS::KinesisFirehose::DeliveryStream',
  'AWS::S3::Bucket',
]);

const ignored: Record<string, string> = {
  'AWS::IAM::Role': 'no IAM locally',
  'AWS::S3::BucketPolicy': 'no IAM locally',
  'AWS::Logs::LogGroup': 'function and delivery logs are files or the terminal',
  'AWS::Logs::LogStream': 'function and delivery logs are files or the terminal',
  'AWS::CloudWatch::Alarm': 'dead letters are inspected at /_local/dead-letters',
  'AWS::SNS::Subscription': 'notifications are inspected at /_local/notifications',
  'AWS::Glue::Database': 'npm run analytics (DuckDB) stands in for Glue and Athena',
  'AWS::Glue::Table': 'npm run analytics (DuckDB) stands in for Glue and Athena',
  'AWS::Athena::WorkGroup': 'npm run analytics (DuckDB) stands in for Glue and Athena',
  'AWS::Athena::NamedQuery': 'npm run analytics (DuckDB) stands in for Glue and Athena',
  'AWS::CloudFront::Distribution': 'the HTTP API serves static sites',
  'AWS::CloudFront::Function': 'the HTTP API serves static sites',
  'AWS::CloudFront::OriginAccessControl': 'the HTTP API serves static sites',
  'AWS::ECS::Cluster': 'the OCPP gateway runs as a local process',
  'AWS::ECS::Service': 'the OCPP gateway runs as a local process',
  'AWS::ECS::TaskDefinition': 'the OCPP gateway runs as a local process',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'the OCPP gateway runs as a local process',
  'AWS::ElasticLoadBalancingV2::Listener': 'the OCPP gateway runs as a local process',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'the OCPP gateway runs as a local process',
  'AWS::EC2::SecurityGroup': 'the OCPP gateway runs as a local process',
};

/** Fails start-up on the first resource whose type the local cloud neither runs nor knows to be irrelevant locally. */
export function assertKnownResourceTypes(service: string, resources: Record<string, { Type: string }>): void {
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!emulated.has(resource.Type) && !(resource.Type in ignored))
      throw new Error(
        `${service}: resource ${logicalId} of type ${resource.Type} is not emulated by the local cloud ` +
          '(packages/local-cloud/src/config/resource-types.ts)',
      );
  }
}
