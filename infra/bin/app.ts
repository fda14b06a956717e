/**
 * The CDK app (cdk.json: `npx tsx infra/bin/app.ts`). Settings come from context
 * (`-c stage=prod -c timestream=true …`); see infra/config/settings.ts and README "Deploy to AWS".
 */
import { App } from 'aws-cdk-lib';
import { dashboardAssets } from '../config/functions';
import { SettingsError, settingsFromContext } from '../config/settings';
import { createVigil } from '../stacks/vigil';

const app = new App();
let settings: ReturnType<typeof settingsFromContext>;
try {
  settings = settingsFromContext((key) => app.node.tryGetContext(key));
} catch (e) {
  if (!(e instanceof SettingsError)) throw e;
  console.error(`vigil: ${e.message}`);
  process.exit(1);
}

// Stacks stay environment-agnostic: the account and region are the deploy credentials' (AWS_REGION /
// the profile's region), and the same template synthesizes offline in CI.
const assets = dashboardAssets();
if (assets.placeholder) {
  console.error('vigil: frontend/dist not built; the dashboard stack deploys a placeholder page.');
}
createVigil(app, settings, { dashboardAssetsPath: assets.path });
app.synth();
