package gradus.serve;

import gradus.serve.text.ChatMessage;
import gradus.serve.text.Generation;
import gradus.serve.text.GenerationParams;
import gradus.serve.text.TextGenerator;
import gradus.serve.text.TextModels;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * OpenAI's Responses API, {@code POST /v1/responses}, for text generators: text in (a string, or messages
 * whose content is text) and text out, whole or streamed as the spec's events ({@code response.created},
 * {@code response.output_text.delta}, …, {@code response.completed}). This server keeps no responses, so
 * what needs them (previous_response_id, conversations, background runs) and tools are refused by name.
 */
final class OpenAiResponses {
    private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
    private final TextModels text;
    private final ServeOptions options;

    OpenAiResponses(TextModels text, ServeOptions options) {
        this.text = text;
        this.options = options;
    }

    void create(ServerRequest req, ServerResponse res) {
        RequestInfo info = RequestInfo.of(req);
        info.endpoint = "responses";
        Request r = Request.of(Http.jsonObject(req, options.maxBodyBytes()), options.maxTokens());
        info.model(r.model());
        TextGenerator generator = text.generator(r.model());
        if (generator == null) throw OpenAiApi.modelNotFound(r.model(), "text generation");
        TextGenerator.Prompt prompt = generator.chat(r.messages());
        String hex = UUID.randomUUID().toString().replace("-", "");
        Ids ids = new Ids("resp_" + hex, "msg_" + hex, System.currentTimeMillis() / 1000);
        if (!r.stream()) {
            Generation g = prompt.generate(r.params(), piece -> {});
            Http.json(res, 200, finished(r, ids, g));
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream os = res.outputStream()) {
            Events events = new Events(os);
            events.send("response.created", Map.of("response", response(r, ids, "in_progress", List.of(), null)));
            events.send("response.in_progress", Map.of("response", response(r, ids, "in_progress", List.of(), null)));
            events.send("response.output_item.added", Map.of("output_index", 0, "item", message(ids, "in_progress", null)));
            events.send("response.content_part.added", part(ids, "part", outputText("")));
            try {
                Generation g = prompt.generate(r.params(),
                        piece -> events.send("response.output_text.delta", part(ids, "delta", piece, "logprobs", List.of())));
                Map<String, Object> done = finished(r, ids, g);
                events.send("response.output_text.done", part(ids, "text", g.text(), "logprobs", List.of()));
                events.send("response.content_part.done", part(ids, "part", outputText(g.text())));
                events.send("response.output_item.done", Map.of("output_index", 0, "item", ((List<?>) done.get("output")).getFirst()));
                events.send("completed".equals(done.get("status")) ? "response.completed" : "response.incomplete", Map.of("response", done));
            } catch (RuntimeException e) {
                if (e instanceof UncheckedIOException || Http.clientGone(e)) throw e; // the client went away: nobody to tell
                OpenAiApi.StreamFailure failure = OpenAiApi.StreamFailure.of(e, "streamed response");
                Map<String, Object> failed = response(r, ids, "failed", List.of(), null);
                failed.put("error", Map.of("code", failure.status() >= 500 ? "server_error" : "invalid_prompt", "message", failure.message()));
                events.send("response.failed", Map.of("response", failed));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the client went away
        }
    }

    /** The response's id, its one message's id, and when it was created (seconds). */
    private record Ids(String response, String message, long created) {}

    /** The complete response for a generation: "incomplete" when it stopped at the token limit. */
    private static Map<String, Object> finished(Request r, Ids ids, Generation g) {
        boolean complete = !"length".equals(g.finishReason());
        Map<String, Object> out = response(r, ids, complete ? "completed" : "incomplete",
                List.of(message(ids, complete ? "completed" : "incomplete", g.text())), g);
        if (!complete) out.put("incomplete_details", Map.of("reason", "max_output_tokens"));
        out.put("completed_at", System.currentTimeMillis() / 1000);
        return out;
    }

    /** A response object with every field the SDKs require; {@code g} (null while generating) gives the text and usage. */
    private static Map<String, Object> response(Request r, Ids ids, String status, List<Object> output, Generation g) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", ids.response());
        out.put("object", "response");
        out.put("created_at", ids.created());
        out.put("status", status);
        out.put("error", null);
        out.put("incomplete_details", null);
        out.put("instructions", r.instructions());
        out.put("max_output_tokens", r.maxOutputTokens());
        out.put("metadata", r.metadata());
        out.put("model", r.model());
        out.put("output", output);
        out.put("output_text", g == null ? "" : g.text());
        out.put("parallel_tool_calls", false);
        out.put("previous_response_id", null);
        out.put("store", false);
        out.put("temperature", r.params().temperature());
        out.put("text", Map.of("format", Map.of("type", "text")));
        out.put("tool_choice", "none");
        out.put("tools", List.of());
        out.put("top_p", r.params().topP());
        out.put("truncation", "disabled");
        out.put("usage", g == null ? null : Map.of("input_tokens", g.promptTokens(), "input_tokens_details", Map.of("cached_tokens", 0),
                "output_tokens", g.completionTokens(), "output_tokens_details", Map.of("reasoning_tokens", 0),
                "total_tokens", g.promptTokens() + g.completionTokens()));
        return out;
    }

    /** The assistant's message; no content until its text is known. */
    private static Map<String, Object> message(Ids ids, String status, String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", ids.message());
        m.put("type", "message");
        m.put("status", status);
        m.put("role", "assistant");
        m.put("content", text == null ? List.of() : List.of(outputText(text)));
        return m;
    }

    private static Map<String, Object> outputText(String text) {
        return Map.of("type", "output_text", "text", text, "annotations", List.of(), "logprobs", List.of());
    }

    /** An event about the message's one text part, with the given extra fields (name, value, …). */
    private static Map<String, Object> part(Ids ids, Object... fields) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("item_id", ids.message());
        e.put("output_index", 0);
        e.put("content_index", 0);
        for (int i = 0; i < fields.length; i += 2) e.put((String) fields[i], fields[i + 1]);
        return e;
    }

    /** Server-sent events named by their type, numbered in order as the spec's sequence_number. */
    private static final class Events {
        private final OutputStream os;
        private int sequence;

        Events(OutputStream os) {
            this.os = os;
        }

        void send(String type, Map<String, Object> fields) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", type);
            e.put("sequence_number", sequence++);
            e.putAll(fields);
            OpenAiApi.event(os, type, e);
        }
    }

    /** A responses request's fields, checked (400 on any bad or unsupported one) before a model is looked up. */
    record Request(String model, String instructions, List<ChatMessage> messages, GenerationParams params, Integer maxOutputTokens,
                   Object metadata, boolean stream) {
        static Request of(Map<String, Object> body, int maxTokens) {
            String model = OpenAiApi.string(body, "model", true);
            for (String stored : List.of("previous_response_id", "conversation", "prompt")) {
                if (body.get(stored) != null) {
                    throw ApiException.badRequest("'" + stored + "' is not supported: this server keeps no responses, conversations or "
                            + "prompts; send the whole conversation in 'input'");
                }
            }
            if (Boolean.TRUE.equals(body.get("background"))) throw ApiException.badRequest("background responses are not supported: this server keeps no responses");
            if (body.get("tools") instanceof List<?> tools && !tools.isEmpty()) {
                throw ApiException.badRequest("tools are not supported: the models of this server generate text only");
            }
            if (body.get("text") instanceof Map<?, ?> t && t.get("format") instanceof Map<?, ?> f && !"text".equals(f.get("type"))) {
                throw ApiException.badRequest("only plain text output is supported (text.format.type 'text'), got '" + f.get("type") + "'");
            }
            String instructions = OpenAiApi.string(body, "instructions", false);
            List<ChatMessage> messages = new ArrayList<>();
            if (instructions != null) messages.add(new ChatMessage("system", instructions));
            messages.addAll(input(body.get("input")));
            Integer requested = body.get("max_output_tokens") != null ? (Integer) OpenAiApi.intValue(body, "max_output_tokens", 0) : null;
            return new Request(model, instructions, messages, OpenAiApi.params(body, requested, maxTokens), requested,
                    body.get("metadata") instanceof Map<?, ?> m ? m : null, Boolean.TRUE.equals(body.get("stream")));
        }

        /** {@code input}: a string (one user message), or a non-empty list of messages with text content. */
        private static List<ChatMessage> input(Object input) {
            if (input instanceof String s) return List.of(new ChatMessage("user", s));
            if (!(input instanceof List<?> items) || items.isEmpty()) {
                throw ApiException.badRequest("'input' must be a string or a non-empty list of messages");
            }
            List<ChatMessage> out = new ArrayList<>();
            for (Object o : items) {
                if (!(o instanceof Map<?, ?> item)) throw ApiException.badRequest("each item of 'input' must be a message object");
                Object type = item.get("type");
                if (type != null && !"message".equals(type)) {
                    throw ApiException.badRequest("input items of type '" + type + "' are not supported; send messages with text content");
                }
                if (!(item.get("role") instanceof String role) || !ROLES.contains(role)) {
                    throw ApiException.badRequest("each input message needs a 'role' of user, assistant, system or developer, got " + item.get("role"));
                }
                out.add(new ChatMessage(role.equals("developer") ? "system" : role, content(item.get("content"))));
            }
            return out;
        }

        /** A message's content: a string, or a list of input_text / output_text parts. */
        private static String content(Object content) {
            if (content instanceof String s) return s;
            if (!(content instanceof List<?> parts)) throw ApiException.badRequest("message content must be a string or a list of text parts");
            StringBuilder sb = new StringBuilder();
            for (Object p : parts) {
                Object type = p instanceof Map<?, ?> part ? part.get("type") : null;
                if (!("input_text".equals(type) || "output_text".equals(type)) || !(((Map<?, ?>) p).get("text") instanceof String t)) {
                    throw ApiException.badRequest("only text content (input_text, output_text parts) is supported, got "
                            + (type == null ? p : "'" + type + "'"));
                }
                sb.append(t);
            }
            return sb.toString();
        }
    }
}
