package gradus.text;

import gradus.files.FileFormatException;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.FatalTemplateErrorsException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template (Hugging Face's {@code chat_template}, GGUF's {@code tokenizer.chat_template}): Jinja that
 * turns a conversation into the prompt text the model was trained on. Rendered with Jinjava as transformers
 * renders it: trim_blocks and lstrip_blocks on, {@code raise_exception(msg)} failing the render, the variables
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}.
 */
public final class ChatTemplate {
    /** One turn of a conversation: role "system", "user" or "assistant", and its text. */
    public record Message(String role, String content) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", role);
            m.put("content", content);
            return m;
        }
    }

    private static final Jinjava JINJA = newJinjava();

    private final String source, bosToken, eosToken;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    private static Jinjava newJinjava() {
        // Jinjava logs through SLF4J, which warns on stderr when the application has no SLF4J provider (the CLI has none).
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
        // Python's Jinja keeps undefined names quiet, as Jinjava does. Jinjava would also render template syntax that
        // appears in a value ("{{ x }}" typed by a user): off, a message's text is data.
        Jinjava j = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withFailOnUnknownTokens(false).withNestedInterpretationEnabled(false).build());
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        return j;
    }

    /** The template's {@code raise_exception}: the message reaches the user as the render's error. */
    public static String raiseException(String message) {
        throw new TemplateRaised(message);
    }

    private static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    /**
     * The chat template of a Hugging Face folder's tokenizer_config.json ({@code chat_template}, a string or a list of
     * named templates of which "default" is taken), with its {@code bos_token}/{@code eos_token}; null when the file or
     * the key is absent.
     */
    public static ChatTemplate fromTokenizerConfig(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("tokenizer_config.json");
        if (!java.nio.file.Files.isRegularFile(file)) return null;
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = Jsons.MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new FileFormatException(file, "invalid JSON: " + e.getOriginalMessage(), e);
        }
        com.fasterxml.jackson.databind.JsonNode t = root == null ? null : root.get("chat_template");
        if (t == null || t.isNull()) return null;
        String source = null;
        if (t.isTextual()) source = t.asText();
        else if (t.isArray()) for (var named : t) if ("default".equals(named.path("name").asText())) source = named.path("template").asText(null);
        if (source == null) throw new FileFormatException(file, "chat_template: expected a string or a list with a \"default\" template");
        return new ChatTemplate(source, tokenText(root.get("bos_token")), tokenText(root.get("eos_token")));
    }

    /** A special token as tokenizer_config.json writes it: a string or {"content": …}. */
    private static String tokenText(com.fasterxml.jackson.databind.JsonNode n) {
        if (n == null || n.isNull()) return null;
        return n.isTextual() ? n.asText() : n.path("content").asText(null);
    }

    public String source() {
        return source;
    }

    /** The prompt text of {@code messages}; with {@code addGenerationPrompt}, ending where the assistant's answer starts. */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /** As {@link #render(List, boolean)}, with more template variables (tools, date_string, …). */
    public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Message m : messages) list.add(m.toMap());
        Map<String, Object> vars = new HashMap<>(extra);
        vars.put("messages", list);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult result;
        try {
            result = JINJA.renderForResult(source, vars);
        } catch (TemplateRaised e) {
            throw new IllegalArgumentException("chat template: " + e.getMessage(), e);
        } catch (FatalTemplateErrorsException e) {
            throw new IllegalArgumentException("chat template: " + e.getMessage(), e);
        }
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() != TemplateError.ErrorType.FATAL) continue;
            String raised = raisedMessage(e.getException());
            throw new IllegalArgumentException("chat template" + (e.getLineno() > 0 ? " line " + e.getLineno() : "") + ": "
                    + (raised != null ? raised : e.getMessage()));
        }
        return result.getOutput();
    }

    private static String raisedMessage(Throwable t) {
        for (; t != null; t = t.getCause()) if (t instanceof TemplateRaised r) return r.getMessage();
        return null;
    }
}
