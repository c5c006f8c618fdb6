// The Vercel AI SDK against a Gradus server that serves language models: chat completions (openai.chat), completions
// (openai.completion) and the Responses API (openai(...)), each generated and streamed, greedy, with a token limit;
// a completion with a stop sequence; two seeded samples. Prints one JSON line; any SDK error exits non-zero.
// Usage: node llm-ai-sdk.mjs BASE_URL MODEL MAX_TOKENS STOP
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';

const [baseURL, name, maxText, stop] = process.argv.slice(2);
const maxOutputTokens = Number(maxText);
const openai = createOpenAI({ baseURL, apiKey: 'unused' });
const system = 'Answer briefly.';
const chat = 'Call me Ishmael. 鯨 🐋 — how   long\tis a whale?';
const text = 'Call me Ishmael. Some years ago—never mind how long precisely';

async function both(model, request) {
  const g = await generateText({ model, temperature: 0, maxOutputTokens, ...request });
  const s = streamText({ model, temperature: 0, maxOutputTokens, ...request, onError: ({ error }) => { throw error; } });
  const deltas = [];
  for await (const piece of s.textStream) deltas.push(piece);
  const usage = await s.usage;
  return {
    generate: { text: g.text, finishReason: g.finishReason, inputTokens: g.usage.inputTokens, outputTokens: g.usage.outputTokens },
    stream: { text: deltas.join(''), pieces: deltas.length, finishReason: await s.finishReason, inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens },
  };
}

const out = {
  chat: await both(openai.chat(name), { system, prompt: chat }),
  completion: await both(openai.completion(name), { prompt: text }),
  responses: await both(openai(name), { system, prompt: chat }),
};
const stopped = await generateText({ model: openai.completion(name), prompt: text, temperature: 0, maxOutputTokens, stopSequences: [stop] });
out.stop = { text: stopped.text, finishReason: stopped.finishReason };
const sampled = [];
for (let i = 0; i < 2; i++) {
  const r = await generateText({ model: openai.chat(name), prompt: chat, temperature: 0.9, topP: 0.9, seed: 11, maxOutputTokens });
  sampled.push(r.text);
}
out.sampled = sampled;
console.log(JSON.stringify(out));
