package io.polycache.web.multipart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A streaming reader of a {@code multipart/form-data} body (RFC 7578): parts come one at a time,
 * each body read straight from the connection, so no part is ever held whole. Reading the next
 * part skips what is left of the current one.
 */
public final class MultipartStream {
    private static final int BUFFER = 16 * 1024;
    private static final int MAX_HEADER_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 32;

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buf;
    /** Horspool's shift for each byte value (the distance from its last occurrence to the end). */
    private final int[] shift = new int[256];
    private int pos;
    private int limit;
    private boolean eof;
    private PartBody current;
    private boolean finished;

    /** One part: its form field name, the file name if it is a file, and its body. */
    public record Part(String name, String filename, InputStream body) {}

    public MultipartStream(InputStream in, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new MalformedMultipartException("missing or invalid boundary");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        this.buf = new byte[BUFFER + delimiter.length];
        Arrays.fill(shift, delimiter.length);
        for (int k = 0; k < delimiter.length - 1; k++) {
            shift[delimiter[k] & 0xff] = delimiter.length - 1 - k;
        }
        // The first delimiter has no CRLF before it; pretend it has, so one search finds all.
        buf[0] = '\r';
        buf[1] = '\n';
        limit = 2;
    }

    /** The next part, or null after the closing delimiter. */
    public Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (current == null) {
            current = new PartBody(); // the preamble, discarded
        }
        current.skipRest();
        if (!fill(2)) {
            throw new MalformedMultipartException("body ends after a delimiter");
        }
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            finished = true;
            return null;
        }
        skipLine(); // CRLF after the delimiter (and any transport padding)
        Map<String, String> headers = readHeaders();
        String disposition = headers.get("content-disposition");
        if (disposition == null) {
            throw new MalformedMultipartException("a part has no Content-Disposition");
        }
        Map<String, String> params = ContentDisposition.parameters(disposition);
        current = new PartBody();
        return new Part(params.get("name"), params.get("filename"), current);
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int count = 0; ; count++) {
            String line = readLine();
            if (line.isEmpty()) {
                return headers;
            }
            if (count >= MAX_HEADERS) {
                throw new MalformedMultipartException("a part has too many headers");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
    }

    private void skipLine() throws IOException {
        readLine();
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (!fill(1)) {
                throw new MalformedMultipartException("body ends inside part headers");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_HEADER_LINE) {
                throw new MalformedMultipartException("a part header line is too long");
            }
            line.append((char) (b & 0xff));
        }
    }

    /** Makes at least n bytes available from pos unless the input ends first; false if it did. */
    private boolean fill(int n) throws IOException {
        while (limit - pos < n && !eof) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            int read = in.read(buf, limit, buf.length - limit);
            if (read < 0) {
                eof = true;
            } else {
                limit += read;
            }
        }
        return limit - pos >= n;
    }

    /**
     * The first start of the delimiter in {@code buf[pos, limit)}, or -1: Boyer-Moore-Horspool,
     * which looks at the byte under the delimiter's last position and skips by how far that byte
     * is from the delimiter's end (its full length when it does not occur in it), so over text
     * that rarely contains the delimiter's bytes it reads about one byte in {@code delimiter.length}.
     * A delimiter that starts here but ends past {@code limit} is not found; the caller keeps the
     * last {@code delimiter.length - 1} bytes for the search after the next refill.
     */
    int indexOfDelimiter() {
        final byte[] b = buf;
        final byte[] d = delimiter;
        final int last = d.length - 1;
        final byte lastByte = d[last];
        final int end = limit - d.length; // last possible start
        int i = pos;
        while (i <= end) {
            byte c = b[i + last];
            if (c == lastByte && Arrays.equals(b, i, i + last, d, 0, last)) {
                return i;
            }
            i += shift[c & 0xff];
        }
        return -1;
    }

    /** The body of the current part: ends just before the next delimiter, which it consumes. */
    private final class PartBody extends InputStream {
        private boolean done;
        /** Bytes from pos already searched and known to be part body (no delimiter starts in them). */
        private int known;
        /** Whether the delimiter starts right after those {@code known} bytes. */
        private boolean delimiterNext;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (known == 0) {
                if (delimiterNext) {
                    pos += delimiter.length;
                    done = true;
                    return -1;
                }
                search();
            }
            int n = Math.min(len, known);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            known -= n;
            return n;
        }

        /** Finds the next stretch of body bytes from pos (and whether the delimiter ends it). */
        private void search() throws IOException {
            while (true) {
                fill(delimiter.length);
                int at = indexOfDelimiter();
                if (at >= 0) {
                    known = at - pos;
                    delimiterNext = true;
                    return;
                }
                if (eof) {
                    throw new MalformedMultipartException("body ends inside a part (no closing delimiter)");
                }
                // The last bytes may be the start of a delimiter: keep them for the next search.
                int body = limit - pos - (delimiter.length - 1);
                if (body > 0) {
                    known = body;
                    return;
                }
                fill(limit - pos + 1);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = 0;
            while (skipped < n && !done) {
                while (known == 0 && !done) {
                    if (delimiterNext) {
                        pos += delimiter.length;
                        done = true;
                    } else {
                        search();
                    }
                }
                int step = (int) Math.min(n - skipped, known);
                pos += step;
                known -= step;
                skipped += step;
            }
            return skipped;
        }

        void skipRest() throws IOException {
            while (!done) {
                skip(Long.MAX_VALUE);
            }
        }
    }
}
