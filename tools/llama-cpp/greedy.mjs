// llama.cpp's answer for a GGUF model (the reference of gradus.llm's tests): evaluates a token-id prompt, decodes
// greedily, and prints JSON {tokens, steps} where steps[i] are the log-probabilities (log-softmax of the logits,
// full vocabulary) that chose tokens[i].
// Usage: node greedy.mjs MODEL.gguf 1,2,3 STEPS THREADS
// F32 KV cache and no flash attention, so an F32 model is computed in F32 end to end.
import {getLlama} from "node-llama-cpp";

const [modelPath, promptText, stepsText, threadsText] = process.argv.slice(2);
const prompt = promptText.split(",").map(Number);
const steps = Number(stepsText);
const threads = Number(threadsText ?? 2);

const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({
    contextSize: prompt.length + steps + 1, batchSize: prompt.length, threads,
    flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"
});
const sequence = context.getSequence();
const tokens = [];
const logProbs = [];
for await (const out of sequence.evaluateWithMetadata(prompt, {probabilities: true}, {temperature: 0, yieldEogToken: true})) {
    const row = new Array(out.probabilities.size).fill(null);
    for (const [token, p] of out.probabilities) row[token] = Math.log(p);
    logProbs.push(row);
    tokens.push(out.token);
    if (tokens.length === steps) break;
}
console.log(JSON.stringify({tokens, steps: logProbs}));
await context.dispose();
await model.dispose();
