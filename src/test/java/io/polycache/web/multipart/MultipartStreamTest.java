package io.polycache.web.multipart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartStreamTest {
    private static final String BOUNDARY = "----polycache7MA4YWxkTrZu0gW";

    private static byte[] form(byte[] fileContent) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("preamble to ignore\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"manager\"\r\n\r\nnpm\r\n"
                + "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"file[]\"; filename=\"package.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(fileContent);
        out.write(("\r\n--" + BOUNDARY + "--\r\nepilogue").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Delivers at most n bytes per read, to move part ends across every buffer position. */
    private static InputStream trickle(byte[] bytes, int n) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, n));
            }
        };
    }

    @Test
    void readsFieldsAndFilesInOrder() throws IOException {
        byte[] content = "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        MultipartStream parts = new MultipartStream(new ByteArrayInputStream(form(content)), BOUNDARY);
        MultipartStream.Part manager = parts.next();
        assertEquals("manager", manager.name());
        assertNull(manager.filename());
        assertEquals("npm", new String(manager.body().readAllBytes(), StandardCharsets.UTF_8));
        MultipartStream.Part file = parts.next();
        assertEquals("file[]", file.name());
        assertEquals("package.json", file.filename());
        assertArrayEquals(content, file.body().readAllBytes());
        assertNull(parts.next());
    }

    @Test
    void aLargeBinaryPartSurvivesAnyChunking() throws IOException {
        byte[] content = new byte[100_000];
        new Random(42).nextBytes(content);
        // Near-misses of the delimiter inside the content.
        byte[] nearMiss = ("\r\n--" + BOUNDARY.substring(0, 10)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(nearMiss, 0, content, 16_380, nearMiss.length);
        for (int chunk : new int[] {1, 7, 4096, 16 * 1024 + 3, 1 << 20}) {
            MultipartStream parts = new MultipartStream(trickle(form(content), chunk), BOUNDARY);
            parts.next(); // manager, left unread: skipped by next()
            assertArrayEquals(content, parts.next().body().readAllBytes(), "chunk " + chunk);
            assertNull(parts.next());
        }
    }

    @Test
    void aBodyWithoutTheClosingDelimiterIsMalformed() throws IOException {
        byte[] truncated = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"package.json\"\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII);
        MultipartStream parts = new MultipartStream(new ByteArrayInputStream(truncated), BOUNDARY);
        InputStream body = parts.next().body();
        assertThrows(MalformedMultipartException.class, body::readAllBytes);
    }

    @Test
    void aPartWithoutContentDispositionIsMalformed() {
        byte[] bytes = ("--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + BOUNDARY + "--")
                .getBytes(StandardCharsets.US_ASCII);
        MultipartStream parts = new MultipartStream(new ByteArrayInputStream(bytes), BOUNDARY);
        assertThrows(MalformedMultipartException.class, parts::next);
    }

    @Test
    void aMissingBoundaryIsMalformed() {
        assertThrows(MalformedMultipartException.class, () -> new MultipartStream(InputStream.nullInputStream(), null));
    }

    @Test
    void dispositionParametersMayBeQuotedOrNot() {
        var params = ContentDisposition.parameters("form-data; name=file; filename=\"a \\\"b\\\";c.json\"");
        assertEquals("file", params.get("name"));
        assertEquals("a \"b\";c.json", params.get("filename"));
    }
}
