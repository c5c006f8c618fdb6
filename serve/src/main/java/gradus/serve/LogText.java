package gradus.serve;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Text from clients made safe for one log line: control characters, line and paragraph separators,
 * format characters (bidi overrides), unpaired surrogates and unassigned code points are written as
 * escapes, so a request can neither forge a line nor put a NUL (or a terminal escape) on stderr.
 */
final class LogText {
    private LogText() {}

    static String escape(Object value) {
        String s = String.valueOf(value);
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            String escaped = escapeOf(cp);
            if (escaped != null && out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (out != null) {
                if (escaped != null) out.append(escaped);
                else out.appendCodePoint(cp);
            }
            i += n;
        }
        return out == null ? s : out.toString();
    }

    private static String escapeOf(int cp) {
        switch (cp) {
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            case '\\': return "\\\\";
            default:
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.UNASSIGNED, Character.PRIVATE_USE -> cp <= 0xFF
                    ? String.format("\\x%02x", cp) : String.format("\\u{%x}", cp);
            default -> null;
        };
    }

    /** A one-line record format (time, level, logger, message, then the stack trace) with everything escaped. */
    static final class SafeFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder out = new StringBuilder(128).append(r.getInstant()).append(' ').append(r.getLevel().getName())
                    .append(' ').append(r.getLoggerName()).append(": ").append(escape(formatMessage(r))).append('\n');
            Throwable t = r.getThrown();
            for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) { // a cause cycle ends too
                out.append(t == r.getThrown() ? "" : "Caused by: ").append(escape(t)).append('\n');
                for (StackTraceElement e : t.getStackTrace()) out.append("\tat ").append(escape(e)).append('\n');
            }
            return out.toString();
        }
    }
}
