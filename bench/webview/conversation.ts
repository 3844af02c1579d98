/**
 * The conversations the webview benchmark opens (bench/webview/host.ts stands in for the store
 * that holds them in the extension host).
 */
import type { ChatMessage } from '../../src/shared/protocol';

const CODE_SNIPPETS = [
  'ts\nconst free = group.filter((d) => !cooling(d));\nreturn pick(free.length ? free : group);\n',
  'py\nfrom openai import OpenAI\nclient = OpenAI(base_url="http://127.0.0.1:4000/v1", api_key=key)\nprint(client.models.list())\n',
  'sh\ncurl -s http://127.0.0.1:4000/v1/chat/completions \\\n  -H "Authorization: Bearer $KEY" -d @request.json | jq .usage\n',
  'yaml\nmodel_list:\n  - model_name: fast\n    litellm_params:\n      model: ollama_chat/llama3.2\n      api_base: http://127.0.0.1:11434\n',
];

/** An assistant answer of the kind a model writes; `i` picks the mix (prose, lists, code, a table). */
function answer(i: number): string {
  const parts = [`It skips deployments in **cooldown** and picks by \`weight\` among the rest; a request that fails with a *retryable* status moves on to the next one (${i}).`];
  if (i % 3 === 0) parts.push(`\`\`\`${CODE_SNIPPETS[Math.floor(i / 6) % CODE_SNIPPETS.length]}\`\`\``);
  if (i % 4 === 1) parts.push('- cooldown: `cooldown_time` seconds\n- retries: `num_retries`, honouring `Retry-After`\n- then [the docs](https://docs.litellm.ai/docs/routing)');
  if (i % 10 === 5) parts.push(`| status | retried | why |\n|---|:-:|---|\n| 429 | yes | rate limit |\n| 401 | no | the same request fails again |\n| 503 | yes | deployment ${i} is down |`);
  if (i % 5 === 2) parts.push('### Why not retry a stream\n\nOnce the first chunk reached you, a retry would repeat text you already read, so a stream that breaks ends with an error instead, and **Retry** starts a new answer.');
  return parts.join('\n\n');
}

/** Paragraphs that bring an answer to about `chars` characters (a long conversation's long answers). */
function padded(text: string, chars: number): string {
  const parts = [text];
  for (let i = 0, length = text.length; length < chars; i++) {
    const extra = i % 3 === 2
      ? `\n\n\`\`\`${CODE_SNIPPETS[i % CODE_SNIPPETS.length]}\`\`\``
      : `\n\nA deployment that failed with a *retryable* status waits out \`cooldown_time\`; meanwhile the router picks among the healthy ones by **weight**, and a request that exhausts \`num_retries\` moves to the next fallback group (${i}).`;
    parts.push(extra);
    length += extra.length;
  }
  return parts.join('');
}

/** A conversation of `n` messages, user and assistant in turn, answers padded to `answerChars` characters. */
export function conversation(n: number, answerChars = 0): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < n; i++) {
    out.push(i % 2 === 0
      ? { id: `m${i}`, role: 'user', text: i % 6 === 0 ? `Question ${i}: here is my config, why does the router pick a deployment that is cooling down?\n\n\`\`\`yaml\nrouter_settings:\n  cooldown_time: 30\n\`\`\`` : `Question ${i}: how are retries and fallbacks ordered?` }
      : { id: `m${i}`, role: 'assistant', model: 'openai/gpt-4o', finishReason: 'stop', cost: 0.0012, usage: { inputTokens: 800, outputTokens: 240, totalTokens: 1040 }, text: padded(answer(i), answerChars) });
  }
  return out;
}

