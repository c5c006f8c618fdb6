package gradus.serve;

import io.helidon.http.Headers;
import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.http.encoding.ContentEncodingContextConfig;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Request bodies sent with {@code Content-Encoding: gzip} or {@code deflate} (as Triton's clients can send
 * them) are inflated as they are read, so {@link Http#body}'s cap bounds the decompressed size and a zip bomb
 * stops at the limit. Any other coding is a 415 with a JSON body when the body is read (Helidon alone
 * answers an unknown coding with a bare 400 before routing). Responses are never compressed here.
 */
final class RequestDecoding implements ContentEncodingContext {
    private static final ContentEncodingContextConfig NONE = ContentEncodingContextConfig.builder()
            .contentEncodingsDiscoverServices(false).buildPrototype();

    @Override
    public boolean contentEncodingEnabled() {
        return false;
    }

    @Override
    public boolean contentDecodingEnabled() {
        return true;
    }

    @Override
    public boolean contentEncodingSupported(String encoding) {
        return false;
    }

    /** Every coding reaches {@link #decoder}, so that an unsupported one is answered in JSON. */
    @Override
    public boolean contentDecodingSupported(String encoding) {
        return true;
    }

    @Override
    public ContentEncoder encoder(String encoding) {
        throw new NoSuchElementException("responses are not compressed");
    }

    @Override
    public ContentEncoder encoder(Headers headers) {
        return ContentEncoder.NO_OP;
    }

    @Override
    public ContentDecoder decoder(String encoding) {
        String coding = encoding.trim().toLowerCase(Locale.ROOT);
        return switch (coding) {
            case "identity", "" -> ContentDecoder.NO_OP;
            case "gzip", "x-gzip" -> in -> new CorruptionChecked(() -> new GZIPInputStream(in), coding);
            case "deflate" -> in -> new CorruptionChecked(() -> deflate(in), coding);
            default -> in -> new CorruptionChecked(() -> {
                throw new ApiException(415, "Content-Encoding '" + encoding + "' is not supported; send gzip, deflate or identity");
            }, coding);
        };
    }

    /** HTTP's deflate is zlib-wrapped (RFC 9110), but some clients send raw deflate: the first two bytes tell which. */
    private static InputStream deflate(InputStream in) throws IOException {
        PushbackInputStream p = new PushbackInputStream(in, 2);
        int b0 = p.read(), b1 = p.read();
        if (b1 >= 0) p.unread(b1);
        if (b0 >= 0) p.unread(b0);
        boolean zlib = b0 >= 0 && b1 >= 0 && (b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0;
        return new InflaterInputStream(p, new Inflater(!zlib));
    }

    @Override
    public ContentEncodingContextConfig prototype() {
        return NONE;
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    /**
     * Opens the decoder on the first read (GZIPInputStream reads its header at once), and turns corrupt or
     * truncated compressed data into a 400 that names the coding.
     */
    private static final class CorruptionChecked extends FilterInputStream {
        private final Opener opener;
        private final String coding;

        CorruptionChecked(Opener opener, String coding) {
            super(null);
            this.opener = opener;
            this.coding = coding;
        }

        private InputStream in() throws IOException {
            if (in == null) in = checked(opener::open);
            return in;
        }

        @Override
        public int read() throws IOException {
            InputStream s = in();
            return checked(s::read);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            InputStream s = in();
            return checked(() -> s.read(b, off, len));
        }

        @Override
        public void close() throws IOException {
            if (in != null) in.close();
        }

        private interface Io<T> {
            T run() throws IOException;
        }

        private <T> T checked(Io<T> io) throws IOException {
            try {
                return io.run();
            } catch (ZipException | EOFException e) { // bad or cut-short data, not a failing socket
                throw ApiException.badRequest("the " + coding + " request body is corrupt or truncated: " + e.getMessage());
            }
        }
    }
}
