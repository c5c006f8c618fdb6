package gradus.data;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits CSV text into records (RFC 4180: quoted fields may hold delimiters, quotes written as
 * {@code ""} and line breaks), remembering the line each record starts on for error messages.
 */
final class CsvReader {
    /** One record and the 1-based line it starts on. */
    record Row(int line, List<String> fields) {}

    private final Reader in;
    private final char delimiter;
    private final String file;
    private int line = 1;
    private int pending = -2; // one character of look-ahead; -2 = none

    CsvReader(Reader in, char delimiter, String file) {
        this.in = in;
        this.delimiter = delimiter;
        this.file = file;
    }

    /** The next record, skipping blank lines; null at the end of the input. */
    Row next() throws IOException {
        while (true) {
            int c = read();
            if (c == -1) return null;
            if (c == '\n') continue;
            if (c == '\r') {
                skipLf();
                continue;
            }
            unread(c);
            return record();
        }
    }

    private Row record() throws IOException {
        int start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        while (true) {
            int c = read();
            if (quoted) {
                if (c == -1) throw new DataException(file + ":" + start + ": quoted field is not closed before the end of the file");
                if (c == '"') {
                    int n = read();
                    if (n == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        unread(n);
                    }
                } else {
                    field.append((char) c);
                }
                continue;
            }
            if (c == '"' && field.isEmpty() && !wasQuoted) {
                quoted = wasQuoted = true;
            } else if (c == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '\n' || c == '\r' || c == -1) {
                if (c == '\r') skipLf();
                fields.add(field.toString());
                return new Row(start, fields);
            } else {
                field.append((char) c);
            }
        }
    }

    private void skipLf() throws IOException {
        int n = read();
        if (n != '\n') unread(n);
    }

    private int read() throws IOException {
        int c;
        if (pending != -2) {
            c = pending;
            pending = -2;
        } else {
            c = in.read();
        }
        if (c == '\n') line++;
        return c;
    }

    private void unread(int c) {
        if (c == '\n') line--;
        pending = c;
    }
}
