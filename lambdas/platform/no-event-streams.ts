/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles (an esbuild alias set in
 * infra/config/bundling.ts). The SDK's HTTP protocol loads it with `await import()` only for operations
 * that stream events (S3 SelectObjectContent, Bedrock, Transcribe …); the clients the Lambdas use
 * (DynamoDB, Timestream, SNS) have none, but esbuild cannot split the bundle, so the codec (~15 KB)
 * would ship in every bundle. Should a streaming operation ever be called, it fails loudly here.
 */
const unsupported = (): never => {
  throw new Error('event-stream operations are not bundled in Vigil Lambdas (infra/config/bundling.ts)');
};

export class EventStreamSerde {
  constructor() {
    unsupported();
  }
}

export const eventStreamSerdeProvider = (): never => unsupported();
