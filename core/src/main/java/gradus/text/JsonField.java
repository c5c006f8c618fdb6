package gradus.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.ArrayList;
import java.util.List;

/** A value read from a tokenizer.json together with its path ("model.vocab"), so every error can name the field. */
record JsonField(JsonNode node, String path) {

    /** A wrong or missing field; {@link Tokenizers#load} adds the file name. */
    static final class Problem extends RuntimeException {
        Problem(String path, String message) {
            super(path + ": " + message);
        }
    }

    Problem problem(String message) {
        return new Problem(path, message);
    }

    /** The child field; absent children read as missing (see {@link #isAbsent}). */
    JsonField get(String name) {
        JsonNode child = node.isObject() ? node.get(name) : null;
        return new JsonField(child == null ? MissingNode.getInstance() : child, path.isEmpty() ? name : path + "." + name);
    }

    boolean isAbsent() {
        return node.isMissingNode() || node.isNull();
    }

    JsonField object() {
        if (!node.isObject()) throw problem("expected an object" + found());
        return this;
    }

    List<JsonField> array() {
        if (!node.isArray()) throw problem("expected an array" + found());
        List<JsonField> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(new JsonField(node.get(i), path + "[" + i + "]"));
        return out;
    }

    String string() {
        if (!node.isTextual()) throw problem("expected a string" + found());
        return node.textValue();
    }

    String stringOr(String absent) {
        return isAbsent() ? absent : string();
    }

    int integer() {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) throw problem("expected an integer" + found());
        return node.intValue();
    }

    int nonNegative() {
        int v = integer();
        if (v < 0) throw problem("expected a non-negative integer, got " + v);
        return v;
    }

    boolean bool() {
        if (!node.isBoolean()) throw problem("expected true or false" + found());
        return node.booleanValue();
    }

    boolean boolOr(boolean absent) {
        return isAbsent() ? absent : bool();
    }

    /** The "type" member, which selects the implementation of a normalizer, model, decoder... */
    String type() {
        return object().get("type").string();
    }

    Problem unsupportedType(String supported) {
        return new Problem(path + ".type", "unsupported type \"" + node.path("type").asText() + "\" (supported: " + supported + ")");
    }

    private String found() {
        if (node.isMissingNode()) return ", but it is missing";
        return ", got " + (node.isTextual() ? "\"" + node.textValue() + "\"" : node.getNodeType().toString().toLowerCase());
    }
}
