import { flush, init } from '../src/index.js';

// VIGIL_API_KEY comes from the environment; VIGIL_BASE_URL defaults to http://127.0.0.1:8000.
const session = init({
  agentId: 'support-bot',
  sessionName: 'Refund question',
  tags: ['tier:enterprise'],
  productionMonitoring: ({ tags }) => tags.includes('tier:enterprise'),
});

const searchDocs = session.tool('search_docs', async (query: string) => [`Refunds take 5 days (${query})`]);

await session.span('answer', async () => {
  const docs = await searchDocs('refund policy');
  session.llm({
    model: 'gpt-4o',
    provider: 'openai',
    usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000 },
    durationMs: 820,
    input: [{ role: 'user', content: `Answer from: ${docs.join(' ')}` }],
    output: 'Refunds take 5 days.',
  });
});

session.end({ success: true, reason: 'answered from the docs', evaluation: 0.9 });
const { ok } = await flush();
process.stdout.write(ok ? `sent session ${session.id}\n` : 'not delivered: run with VIGIL_DEBUG=1\n');
