package gradus.text;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import gradus.files.FileFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads tokenizer.json files, Hugging Face's or Gradus's, into the matching {@link Tokenizer}. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * Loads a tokenizer.json: a file Gradus wrote comes back as the same kind of tokenizer (Char, Word, Bpe); other
     * files as a {@link PipelineTokenizer} (or {@link BpeTokenizer} for byte-level BPE). Errors name the file and field.
     */
    public static Tokenizer load(Path file) throws IOException {
        JsonNode root;
        try {
            root = Jsons.MAPPER.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new FileFormatException(file, "invalid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage(), e);
        } catch (java.io.CharConversionException e) { // Jackson guessed UTF-16/32 from the first bytes, and they are not
            throw new FileFormatException(file, "invalid JSON: not UTF-8 text (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) throw new FileFormatException(file, "expected a JSON object");
        try {
            return specialize(new PipelineTokenizer(read(new JsonField(root, ""))));
        } catch (JsonField.Problem e) {
            throw new FileFormatException(file, e.getMessage(), e);
        }
    }

    private static Tokenizer specialize(PipelineTokenizer t) {
        if (CharTokenizer.fits(t)) return new CharTokenizer(t);
        if (WordTokenizer.fits(t)) return new WordTokenizer(t);
        if (BpeTokenizer.fits(t)) return new BpeTokenizer(t);
        return t;
    }

    static PipelineTokenizer.Parts read(JsonField root) {
        Model model = Model.read(root.get("model").object());
        List<AddedToken> added = new ArrayList<>();
        if (!root.get("added_tokens").isAbsent()) {
            // As Hugging Face does, an added token takes its id from the model's vocabulary, or the next free id after
            // it; the "id" written in the file is not used.
            int next = model.vocab().size();
            for (JsonField f : root.get("added_tokens").array()) {
                AddedToken t = AddedToken.read(f);
                int id = model.vocab().id(t.content());
                if (id < 0) id = next++;
                added.add(new AddedToken(id, t.content(), t.singleWord(), t.lstrip(), t.rstrip(), t.normalized(), t.special()));
            }
        }
        Normalizer normalizer = root.get("normalizer").isAbsent() ? null : Normalizer.read(root.get("normalizer"));
        PreTokenizer preTokenizer = root.get("pre_tokenizer").isAbsent() ? null : PreTokenizer.read(root.get("pre_tokenizer"));
        PostProcessor post = root.get("post_processor").isAbsent() ? null : PostProcessor.read(root.get("post_processor"));
        Decoder decoder = root.get("decoder").isAbsent() ? null : Decoder.read(root.get("decoder"));

        BatchOptions defaults = BatchOptions.DEFAULT;
        JsonField truncation = root.get("truncation");
        if (!truncation.isAbsent()) {
            requireRight(truncation.object().get("direction"));
            defaults = defaults.truncateTo(truncation.get("max_length").nonNegative());
        }
        JsonField padding = root.get("padding");
        String padToken = null;
        int padTypeId = 0;
        if (!padding.isAbsent()) {
            requireRight(padding.object().get("direction"));
            JsonField strategy = padding.get("strategy");
            if (strategy.node().isTextual() && strategy.string().equals("BatchLongest")) defaults = defaults.padToLongest();
            else if (strategy.node().isObject() && !strategy.get("Fixed").isAbsent()) defaults = defaults.padTo(padLength(strategy.get("Fixed")));
            else throw strategy.problem("expected \"BatchLongest\" or {\"Fixed\": length}");
            if (!padding.get("pad_to_multiple_of").isAbsent()) defaults = defaults.padToMultipleOf(padLength(padding.get("pad_to_multiple_of")));
            padToken = padding.get("pad_token").string();
            padTypeId = padding.get("pad_type_id").isAbsent() ? 0 : padding.get("pad_type_id").nonNegative();
        }
        return new PipelineTokenizer.Parts(normalizer, preTokenizer, model, post, decoder, added, defaults, padToken, padTypeId);
    }

    private static int padLength(JsonField f) {
        int length = f.nonNegative();
        if (length > BatchOptions.MAX_PAD_LENGTH) throw f.problem("padding length " + length + " is above the cap of " + BatchOptions.MAX_PAD_LENGTH + " tokens");
        return length;
    }

    private static void requireRight(JsonField direction) {
        if (!direction.isAbsent() && !direction.string().equals("Right")) throw direction.problem("only \"Right\" is supported, got \"" + direction.string() + "\"");
    }
}
