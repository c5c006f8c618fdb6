// llama.cpp's own tokenizer (the vocabulary embedded in a GGUF file) as the reference of gradus.text's GGUF tokenizers.
// Reads a JSON array of texts and prints JSON {ids: [[...]...], decoded: [...]}: each text tokenized with special
// tokens parsed and no BOS added (llama_tokenize(add_special=false, parse_special=true)), and detokenized back.
// Usage: node tokenize.mjs MODEL.gguf TEXTS.json
import {readFileSync} from "node:fs";
import {getLlama} from "node-llama-cpp";

const [modelPath, input] = process.argv.slice(2);
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath, gpuLayers: 0, vocabOnly: true});
const texts = JSON.parse(readFileSync(input, "utf8"));
const ids = texts.map(t => Array.from(model.tokenize(t, true)));
const decoded = ids.map(i => model.detokenize(i, true));
console.log(JSON.stringify({ids, decoded}));
await model.dispose();
