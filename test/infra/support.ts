import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  DASHBOARD_PLACEHOLDER,
  REPO_ROOT,
  SCHEDULED_JOBS,
  type ScheduledJobSpec,
} from '../../infra/config/functions';
import { settingsFromContext, type VigilSettings } from '../../infra/config/settings';
import { createVigil, type VigilStacks } from '../../infra/stacks/vigil';

export interface Synthesized {
  app: App;
  settings: VigilSettings;
  stacks: VigilStacks;
  template: (stack: keyof VigilStacks) => Template;
}

/** cdk.json's context (feature flags), which the CLI passes to the app: tests build the same app. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(resolve(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/** The reconcile job only (what ships until the baseline/anomaly handlers land). */
export const RECONCILE_ONLY = SCHEDULED_JOBS.filter((j) => !j.whenEntryExists);

/**
 * Builds the whole app with `context`, without bundling the Lambdas (tests read templates, not code),
 * with cdk-nag on unless told otherwise.
 */
export function synthVigil(
  context: Record<string, unknown> = {},
  options: { jobs?: readonly ScheduledJobSpec[]; nag?: boolean } = {},
): Synthesized {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const settings = settingsFromContext((key) => app.node.tryGetContext(key));
  const stacks = createVigil(app, settings, {
    jobs: options.jobs ?? RECONCILE_ONLY,
    dashboardAssetsPath: resolve(REPO_ROOT, DASHBOARD_PLACEHOLDER),
    nag: options.nag,
  });
  const cache = new Map<string, Template>();
  return {
    app,
    settings,
    stacks,
    template: (name) => {
      let t = cache.get(name);
      if (!t) {
        const stack = stacks[name];
        if (!stack) throw new Error(`stack ${name} is not in this app`);
        t = Template.fromStack(stack);
        cache.set(name, t);
      }
      return t;
    },
  };
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>
>;

/** The one resource of `type` whose logical id starts with `prefix`. */
export function resourceByPrefix(template: Template, type: string, prefix: string) {
  const all = template.findResources(type) as Resources;
  const ids = Object.keys(all).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} "${prefix}*", found ${ids.join(', ') || 'none'}`);
  return { id: ids[0]!, resource: all[ids[0]!]! };
}

/** Every statement of the IAM policies attached to the role of the function `prefix`. */
export function statementsOf(template: Template, functionPrefix: string) {
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  const statements: Array<{ Action: string | string[]; Resource: unknown; Effect: string }> = [];
  for (const [id, p] of Object.entries(policies)) {
    if (!id.startsWith(`${functionPrefix}FunctionServiceRoleDefaultPolicy`)) continue;
    const doc = p.Properties!.PolicyDocument as { Statement: typeof statements };
    statements.push(...doc.Statement);
  }
  return statements;
}

/** All actions granted, sorted. */
export function actionsOf(statements: Array<{ Action: string | string[] }>): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

/** The environment variables of the function `prefix`. */
export function envOf(template: Template, functionPrefix: string): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function') as Resources;
  const ids = Object.keys(fns).filter((id) => new RegExp(`^${functionPrefix}Function[0-9A-F]{8}$`).test(id));
  if (ids.length !== 1) throw new Error(`expected one function ${functionPrefix}, found ${ids.join(', ')}`);
  const env = fns[ids[0]!]!.Properties!.Environment as { Variables: Record<string, unknown> } | undefined;
  return env?.Variables ?? {};
}
