#!/usr/bin/env python3
"""Writes core/src/test/resources/text/tokenizer-corpus.jsonl: one JSON string per line, the texts on which Gradus's
tokenizers are compared with the reference tokenizers and llama.cpp. Hand-picked pieces (English, code, whitespace
runs, numbers, many scripts, emoji, special tokens) and seeded combinations of them, so the file is reproducible."""
import json, random, re, pathlib

root = pathlib.Path(__file__).resolve().parents[2]
moby = (root / "core/src/test/resources/text/moby-dick-chapter-1.txt").read_text(encoding="utf-8")
sentences = [s.strip() for s in re.split(r"(?<=[.;!?])\s+", moby) if s.strip()]

pieces = [
    "Hello world", "Hello, world!", " leading space", "trailing space ", "  two leading spaces", "tabs\tand\ttabs",
    "line one\nline two", "windows\r\nline ends\r\n", "\n\n\nthree newlines", "   ", "\t", "\n", " \n ", "a  b   c    d",
    "x" * 40, "ab" * 30, "I'm you're they'll we've she'd it's don't", "I'M YOU'RE THEY'LL", "O'Reilly's",
    "3.14159 2.71828 1e-10 -42 +7", "12345678901234567890", "1,000,000 and 1 000 000", "v1.2.3-rc.4", "0x1F 0b1010 0o777",
    "2026-12-07T12:00:00Z", "$19.99 €5,00 £3 ¥1000", "100% of 50% is 25%",
    "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}", "if x == 1 and y != 2:\n        pass",
    "public static void main(String[] args) { System.out.println(\"hi\"); }", "SELECT * FROM users WHERE id = 42;",
    "{\"key\": [1, 2, {\"nested\": null}], \"ok\": true}", "<div class=\"a\">text</div>", "#include <stdio.h>",
    "x+=1;y-=2;z*=3", "a->b->c", "f(g(h(x)))", "// comment\n/* block */", "    indented 4", "        indented 8",
    "https://example.com/path?q=1&r=2#frag", "user@example.org", "C:\\Windows\\System32", "~/.config/gradus",
    "café naïve résumé façade Ångström", "Straße groß", "ΑΒΓ αβγ Ελληνικά", "Привет, мир!", "Україна",
    "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "ありがとうございます", "東京都渋谷区", "你好，世界！",
    "中文测试：编码和解码", "한국어 텍스트", "Tiếng Việt có dấu", "ǅemal ǈ ǋ", "ﬁ ﬂ ﬀ ligatures", "ℌ𝔢𝔩𝔩𝔬 𝕨𝕠𝕣𝕝𝕕",
    "😀😃😄", "👍🏽 👩‍💻 👨‍👩‍👧‍👦", "🇫🇷🇯🇵", "❤️ ✨ 🚀", "emoji😀inside", "a\u200bb zero width", "non\u00a0breaking",
    "em\u2003space", "ideographic\u3000space", "soft\u00adhyphen", "combining e\u0301 o\u0308", "\u2028line sep",
    "ſ long s", "ß ẞ", "İstanbul ı", "K Kelvin sign", "‘curly’ “quotes” — dash – en", "… ellipsis", "½ ¼ ² ³ Ⅻ ①",
    "٣٤٥ Arabic-Indic digits", "१२३ Devanagari digits", "!!!???...", "---===+++", "@@@###$$$", "(((())))", "[[]]{{}}",
    "<s>", "</s>", "<unk>", "<s> hello </s>", "hello<s>world", "a </s> b", "<|begin_of_text|>", "<|eot_id|>",
    "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>", "x<|end_of_text|>y", "<|reserved_special_token_5|>",
    "<<s>>", "< s >", "<|begin_of_text", "[INST] Hello [/INST]", "<0x41>", "▁ already escaped ▁▁",
]

random.seed(20261207)
texts = list(pieces) + sentences
words = " ".join(sentences).split()
for _ in range(2600):
    k = random.randint(1, 6)
    parts = random.sample(pieces, k)
    if random.random() < 0.5:
        i = random.randrange(len(words) - 12)
        parts.append(" ".join(words[i:i + random.randint(1, 12)]))
    random.shuffle(parts)
    sep = random.choice([" ", "", "\n", "  ", "\t", " \n", "\n\n"])
    texts.append(sep.join(parts))

out = root / "core/src/test/resources/text/tokenizer-corpus.jsonl"
out.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
print(len(texts), "texts ->", out)
