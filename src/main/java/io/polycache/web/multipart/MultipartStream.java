package io.polycache.web.multipart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

    private int indexOfDelimiter() {
        outer:
        for (int i = pos; i <= limit - delimiter.length; i++) {
            for (int j = 0; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The body of the current part: ends just before the next delimiter, which it consumes. */
    private final class PartBody extends InputStream {
        private boolean done;

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
            while (true) {
                fill(delimiter.length);
                int at = indexOfDelimiter();
                int available;
                if (at >= 0) {
                    available = at - pos;
                    if (available == 0) {
                        pos += delimiter.length;
                        done = true;
                        return -1;
                    }
                } else if (eof) {
                    throw new MalformedMultipartException("body ends inside a part (no closing delimiter)");
                } else {
                    // The last bytes may be the start of a delimiter: keep them for the next search.
                    available = limit - pos - (delimiter.length - 1);
                    if (available <= 0) {
                        fillMore();
                        continue;
                    }
                }
                int n = Math.min(len, available);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
        }

        private void fillMore() throws IOException {
            fill(limit - pos + 1);
        }

        void skipRest() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // discard
            }
        }
    }
}
