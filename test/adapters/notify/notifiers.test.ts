import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type NotificationPayload, notificationPayload, WEBHOOK_HEADERS } from '../../../contracts/alerts';
import { LogNotifier } from '../../../lambdas/adapters/notify/log';
import { SlackNotifier } from '../../../lambdas/adapters/notify/slack';
import { SnsNotifier } from '../../../lambdas/adapters/notify/sns';
import { WebhookNotifier } from '../../../lambdas/adapters/notify/webhook';
import type { Channel } from '../../../lambdas/domain/alert-ports';
import { buildPayload } from '../../../lambdas/domain/alerts/notification';
import { verifyWebhookSignature } from '../../../lambdas/domain/alerts/signing';
import { type Receiver, startReceiver } from '../../helpers/receiver';
import { channel, incident } from '../contracts/alert-stores.contract';

const NOW = Date.parse('2026-11-10T10:00:00Z');
const clock = { now: () => NOW };
const payload: NotificationPayload = buildPayload({
  type: 'incident.opened',
  incident: incident({ agentId: 'support-bot', severity: 'critical', title: 'Cost anomaly on support-bot' }),
  deliveryId: 'delivery-1',
  now: NOW,
  link: 'https://vigil.example.com/agents/support-bot/incidents/inc_1',
});

describe('SnsNotifier', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('publishes the subject and text to the channel topic, with the event and delivery as attributes', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = new SnsNotifier({
      client: new SNSClient({ region: 'eu-west-1' }),
      defaultTopicArn: null,
    });
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:vigil-alerts';
    // Act
    await notifier.send(channel({ type: 'sns', topicArn, url: null, secret: null }), payload);
    // Assess
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      {
        TopicArn: topicArn,
        Subject: '[CRITICAL] Cost anomaly on support-bot',
        Message: payload.text,
        MessageAttributes: {
          'vigil.event': { DataType: 'String', StringValue: 'incident.opened' },
          'vigil.delivery': { DataType: 'String', StringValue: 'delivery-1' },
        },
      },
    ]);
  });

  it("uses the deployment's alert topic when the channel names none", async () => {
    // Prepare
    sns.on(PublishCommand).resolves({});
    const notifier = new SnsNotifier({
      client: new SNSClient({ region: 'eu-west-1' }),
      defaultTopicArn: 'arn:aws:sns:eu-west-1:123456789012:default',
    });
    // Act
    await notifier.send(channel({ type: 'sns', topicArn: null }), payload);
    // Assess
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.TopicArn).toBe(
      'arn:aws:sns:eu-west-1:123456789012:default',
    );
  });

  it('reports a failed publish as unavailable, keeping the cause', async () => {
    // Prepare
    const error = Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' });
    sns.on(PublishCommand).rejects(error);
    const notifier = new SnsNotifier({
      client: new SNSClient({ region: 'eu-west-1' }),
      defaultTopicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
    });
    // Act / Assess
    await expect(notifier.send(channel({ type: 'sns' }), payload)).rejects.toMatchObject({
      kind: 'unavailable',
      message: 'sns: publish failed (AuthorizationErrorException)',
      cause: error,
    });
  });
});

describe('HTTP notifiers against a real local server', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it('POSTs the payload to a webhook with a verifiable HMAC signature', async () => {
    // Prepare
    const secret = 'whsec-0123456789abcdef';
    const target: Channel = channel({ url: `${receiver.url}/hooks/vigil`, secret });
    const before = receiver.received.length;
    // Act
    await new WebhookNotifier(clock).send(target, payload);
    // Assess
    const got = receiver.received[before]!;
    expect(got.path).toBe('/hooks/vigil');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers[WEBHOOK_HEADERS.event]).toBe('incident.opened');
    expect(got.headers[WEBHOOK_HEADERS.delivery]).toBe('delivery-1');
    expect(got.headers[WEBHOOK_HEADERS.timestamp]).toBe(String(NOW / 1000));
    expect(
      verifyWebhookSignature({
        secret,
        signature: got.headers[WEBHOOK_HEADERS.signature] as string,
        timestamp: got.headers[WEBHOOK_HEADERS.timestamp] as string,
        body: got.body,
        nowSeconds: NOW / 1000,
      }),
    ).toBe(true);
    expect(notificationPayload.parse(JSON.parse(got.body))).toEqual(payload);
  });

  it('POSTs Slack a text + blocks message', async () => {
    // Prepare
    const before = receiver.received.length;
    // Act
    await new SlackNotifier().send(
      channel({ type: 'slack', webhookUrl: `${receiver.url}/slack/T0/B0/x`, url: null }),
      payload,
    );
    // Assess
    const got = JSON.parse(receiver.received[before]!.body);
    expect(got.text).toBe(':rotating_light: [CRITICAL] Cost anomaly on support-bot (opened)');
    expect(got.blocks).toHaveLength(2);
  });

  it('reports a non-2xx answer as unavailable without revealing the URL', async () => {
    // Prepare
    receiver.respondWith(500);
    const target = channel({ url: `${receiver.url}/secret-token-path` });
    // Act
    const error = await new WebhookNotifier(clock).send(target, payload).catch((e: Error) => e);
    receiver.respondWith(200);
    // Assess
    expect(error).toMatchObject({ kind: 'unavailable', message: 'webhook: HTTP 500' });
    expect(String((error as Error).message)).not.toContain('secret-token-path');
  });

  it('gives up on a target that does not answer in time', async () => {
    // Prepare: a fetch that never settles until aborted
    const hanging: typeof fetch = (_u, init) =>
      new Promise((_ok, fail) => init?.signal?.addEventListener('abort', () => fail(init.signal!.reason)));
    // Act / Assess
    await expect(
      new SlackNotifier({ timeoutMs: 20, fetch: hanging }).send(
        channel({ type: 'slack', webhookUrl: 'https://hooks.example/x' }),
        payload,
      ),
    ).rejects.toMatchObject({ kind: 'unavailable', message: 'slack webhook: timed out' });
  });

  it('reports a refused connection as unavailable', async () => {
    // Act / Assess
    await expect(
      new WebhookNotifier(clock).send(channel({ url: 'http://127.0.0.1:1/x' }), payload),
    ).rejects.toMatchObject({ kind: 'unavailable', message: 'webhook: could not connect' });
  });
});

describe('LogNotifier', () => {
  it('writes one line per notification', async () => {
    // Prepare
    const lines: string[] = [];
    // Act
    await new LogNotifier((line) => lines.push(line)).send(
      channel({ type: 'log', name: 'terminal' }),
      payload,
    );
    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[vigil alert → terminal\] \[CRITICAL\] Cost anomaly on support-bot \(opened\) · /,
    );
  });
});
