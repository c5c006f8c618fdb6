// The Vercel AI SDK's OpenAI provider against a Gradus server: openai(model) speaks the Responses API.
// Prints one JSON line of what the SDK made of a generation and of a stream; any SDK error exits non-zero.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';

const openai = createOpenAI({ baseURL: process.argv[2], apiKey: 'unused' });
const g = await generateText({ model: openai('echo'), prompt: 'the quick fox' });
const s = streamText({ model: openai('echo'), prompt: 'stream this please', onError: ({ error }) => { throw error; } });
const deltas = [];
for await (const text of s.textStream) deltas.push(text);
console.log(JSON.stringify({
  generate: { text: g.text, finishReason: g.finishReason, outputTokens: g.usage.outputTokens },
  stream: { deltas, finishReason: await s.finishReason },
}));
