package gradus.serve.text;

/** One chat message: role (system, user, assistant, tool) and its text. */
public record ChatMessage(String role, String content) {}
