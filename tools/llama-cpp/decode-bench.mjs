// Decode speed of llama.cpp on a GGUF model, for bench/llama-decode.sh: evaluates a token-id prompt, then times
// STEPS greedy tokens one at a time. Prints JSON {prompt_ms, decode_tokens_per_s}.
// Usage: node decode-bench.mjs MODEL.gguf 1,2,3 STEPS THREADS
import {getLlama} from "node-llama-cpp";

const [modelPath, promptText, stepsText, threadsText] = process.argv.slice(2);
const prompt = promptText.split(",").map(Number);
const steps = Number(stepsText);
const threads = Number(threadsText);

const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({contextSize: prompt.length + steps + 1, batchSize: prompt.length,
    threads});
const sequence = context.getSequence();
const start = performance.now();
let first = 0, count = 0;
for await (const token of sequence.evaluate(prompt, {temperature: 0, yieldEogToken: true})) {
    if (count === 0) first = performance.now();
    if (++count === steps + 1) break;
}
const end = performance.now();
console.log(JSON.stringify({prompt_ms: first - start, decode_tokens_per_s: steps / ((end - first) / 1000)}));
await context.dispose();
await model.dispose();
