package gradus.serve;

import gradus.serve.text.Generation;
import gradus.serve.text.GenerationParams;
import gradus.serve.text.TextEmbedder;
import gradus.serve.text.TextGenerator;

import java.util.List;
import java.util.function.Consumer;

/** Deterministic stand-ins for the real text models: words are tokens. */
final class FakeTextModels {
    private FakeTextModels() {}

    /** Answers "you said <last line of the prompt>", one word per token. */
    static class Echo implements TextGenerator {
        @Override
        public Generation generate(String prompt, GenerationParams params, Consumer<String> onText) {
            String[] lines = prompt.strip().split("\n");
            String last = lines.length > 1 && lines[lines.length - 1].equals("assistant:") ? lines[lines.length - 2] : lines[lines.length - 1];
            String[] words = ("you said " + last.replaceFirst("^user: ", "")).split(" ");
            StringBuilder out = new StringBuilder();
            int n = 0;
            for (String w : words) {
                if (n == params.maxTokens()) break;
                String piece = (n == 0 ? "" : " ") + w;
                if (params.stop().stream().anyMatch(s -> (out + piece).contains(s))) return new Generation(out.toString(), countTokens(prompt), n, "stop");
                out.append(piece);
                onText.accept(piece);
                n++;
            }
            return new Generation(out.toString(), countTokens(prompt), n, n < words.length ? "length" : "stop");
        }

        @Override
        public int countTokens(String text) {
            return text.isBlank() ? 0 : text.strip().split("\\s+").length;
        }
    }

    /** [length, words, first char, last char] of each text. */
    static final class Shape implements TextEmbedder {
        @Override
        public float[][] embed(List<String> texts) {
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                String t = texts.get(i);
                out[i] = new float[]{t.length(), countTokens(t), t.isEmpty() ? 0 : t.charAt(0), t.isEmpty() ? 0 : t.charAt(t.length() - 1)};
            }
            return out;
        }

        @Override
        public int countTokens(String text) {
            return text.isBlank() ? 0 : text.strip().split("\\s+").length;
        }
    }
}
