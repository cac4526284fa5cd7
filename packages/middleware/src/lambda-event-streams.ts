// Stands in for `@smithy/core/event-streams` in every shipped bundle (an esbuild `alias` in
// serverless.common.yml). The SDK's HttpProtocol imports it lazily, and only for an operation with an
// event-stream member; the commands our functions send (DynamoDB, SQS SendMessage, IoT data-plane Publish)
// have none, so it is never reached. esbuild still bundled the whole submodule for that one dynamic import,
// with the JS checksums its codec uses: about 20 kB a bundle. Reaching it anyway fails loudly, naming why.

const notBundled = (): never => {
  throw new Error('event-stream operations are not bundled (see @evcharge/middleware/lambda-event-streams)');
};

export const eventStreamSerdeProvider = notBundled;

export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}
