// llama.cpp end to end on a text prompt, the reference of gradus.llm's generation tests: tokenizes the text with the
// model's own tokenizer (special tokens parsed, BOS prepended when the GGUF asks for it), then decodes greedily.
// Prints JSON {prompt: [ids], tokens: [ids], text}: text is llama.cpp's detokenization of the tokens before the first
// end-of-generation token, as the continuation of the prompt (node-llama-cpp's detokenize with the last prompt tokens).
// Usage: node generate.mjs MODEL.gguf TEXT STEPS THREADS
import {getLlama} from "node-llama-cpp";

const [modelPath, text, stepsText, threadsText] = process.argv.slice(2);
const steps = Number(stepsText);
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
let prompt = Array.from(model.tokenize(text, true));
if (model.tokens.shouldPrependBosToken && model.tokens.bos != null) prompt = [model.tokens.bos, ...prompt];
const context = await model.createContext({
    contextSize: prompt.length + steps + 1, batchSize: prompt.length, threads: Number(threadsText ?? 2),
    flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"
});
const sequence = context.getSequence();
const tokens = [];
for await (const token of sequence.evaluate(prompt, {temperature: 0, yieldEogToken: true})) {
    tokens.push(token);
    if (tokens.length === steps) break;
}
const end = tokens.findIndex(t => model.isEogToken(t));
const generated = model.detokenize(end < 0 ? tokens : tokens.slice(0, end), false, prompt);
console.log(JSON.stringify({prompt, tokens, text: generated}));
await context.dispose();
await model.dispose();
