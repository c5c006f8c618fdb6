// The reference chat-template renderer of gradus.text's tests: @huggingface/jinja, the renderer of transformers.js
// (trim_blocks and lstrip_blocks on, as in Python transformers). Reads JSON {template, cases: [{messages,
// add_generation_prompt, bos_token, eos_token}]} and prints JSON {rendered: [...]}, or {error: message} per case
// for a template that raises.
// Usage: node render-template.mjs CASES.json
import {readFileSync} from "node:fs";
import {Template} from "@huggingface/jinja";

const {template, cases} = JSON.parse(readFileSync(process.argv[2], "utf8"));
const compiled = new Template(template);
const rendered = cases.map(c => {
    try {
        return compiled.render(c);
    } catch (e) {
        return {error: String(e.message ?? e)};
    }
});
console.log(JSON.stringify({rendered}));
