import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements that can only be named after synthesis has resolved references.
 *
 * An AwsSolutions-IAM5 finding is named after the flattened resource, e.g.
 * `Resource::<PayloadBucket.Arn>/payloads/*`. When the bucket lives in another stack the resource is a
 * cross-stack reference whose form (import, stack output name with a hash) is only decided when the
 * app is prepared. This registers a validation hook, which runs after references are resolved and
 * before cdk-nag reads acknowledgements, that acknowledges exactly the matching findings — never the
 * whole rule.
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  policy: () => iam.CfnPolicy | undefined,
  matches: (flattenedResource: string) => boolean,
  reason: string,
): void {
  scope.node.addValidation({
    validate: () => {
      const cfn = policy();
      if (!cfn) return [];
      const doc = Stack.of(cfn).resolve(cfn.policyDocument) as { Statement?: Array<{ Resource?: unknown }> };
      for (const statement of doc.Statement ?? []) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const r of resources) {
          const flat = flattenCfnReference(r);
          if (flat.includes('*') && matches(flat)) {
            Validations.of(cfn).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
          }
        }
      }
      return [];
    },
  });
}

/** Reasons shared by several constructs. */
export const REASONS = {
  lambdaRuntime:
    'Pinned to nodejs24.x, the Node.js LTS this project builds and tests for (esbuild target node24); it ' +
    'is what Runtime.NODEJS_LATEST resolves to in this aws-cdk-lib, supported until 2028-04-30. The ' +
    'newer nodejs26.x in Runtime.ALL is not an LTS line the code is validated on.',
  basicExecutionRole:
    'The AWS-managed AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs ' +
    '(CreateLogGroup/CreateLogStream/PutLogEvents); it is the AWS-maintained minimum for any Lambda.',
} as const;
