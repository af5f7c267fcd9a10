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

    /** The content with a complete part around it, read back through chunks of every size in a range. */
    private static void roundTrips(byte[] content, int... chunks) throws IOException {
        for (int chunk : chunks) {
            MultipartStream parts = new MultipartStream(trickle(form(content), chunk), BOUNDARY);
            assertEquals("npm", new String(parts.next().body().readAllBytes(), StandardCharsets.US_ASCII));
            assertArrayEquals(content, parts.next().body().readAllBytes(), "chunk " + chunk);
            assertNull(parts.next());
        }
    }

    @Test
    void partialDelimitersAtEveryOffsetAndEveryBufferSplit() throws IOException {
        // Every proper prefix of the delimiter (and prefixes with a wrong last byte) followed by
        // more content, at positions that fall either side of the 16 KiB buffer's end.
        byte[] delimiter = ("\r\n--" + BOUNDARY).getBytes(StandardCharsets.US_ASCII);
        for (int len = 1; len < delimiter.length; len += 3) {
            byte[] content = new byte[16 * 1024 + 200];
            java.util.Arrays.fill(content, (byte) 'x');
            for (int at : new int[] {0, 100, 16 * 1024 - 300 - len, 16 * 1024 - 2 - len, content.length - len - 1}) {
                System.arraycopy(delimiter, 0, content, at, len);
            }
            byte[] wrongLast = delimiter.clone();
            wrongLast[delimiter.length - 1] = 'Z';
            System.arraycopy(wrongLast, 0, content, 1000, wrongLast.length);
            roundTrips(content, 1, 13, 1000, 16 * 1024 - 1, 1 << 20);
        }
    }

    @Test
    void contentMadeOfDelimiterBytesIsNotCutShort() throws IOException {
        // Bytes that all occur in the delimiter give the search its shortest shifts.
        byte[] alphabet = ("\r\n-" + BOUNDARY).getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(7);
        byte[] content = new byte[40_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = alphabet[random.nextInt(alphabet.length)];
        }
        roundTrips(content, 1, 5, 4096, 16 * 1024 + 1, 1 << 20);
    }

    @Test
    void emptyPartsAndAPartEndingWithADelimiterPrefix() throws IOException {
        roundTrips(new byte[0], 1, 3, 1 << 20);
        roundTrips("ends with \r\n--".getBytes(StandardCharsets.US_ASCII), 1, 2, 64, 1 << 20);
        roundTrips(("\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1)).getBytes(StandardCharsets.US_ASCII), 1, 9, 1 << 20);
    }

    @Test
    void everyReadSizeGivesTheSameBytes() throws IOException {
        byte[] content = new byte[50_000];
        new Random(3).nextBytes(content);
        for (int readSize : new int[] {1, 2, 41, 8192, 70_000}) {
            MultipartStream parts = new MultipartStream(trickle(form(content), 997), BOUNDARY);
            parts.next();
            InputStream body = parts.next().body();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[readSize];
            int n;
            while ((n = body.read(buffer, 0, readSize)) >= 0) {
                out.write(buffer, 0, n);
            }
            assertArrayEquals(content, out.toByteArray(), "read size " + readSize);
            assertEquals(-1, body.read());
            assertNull(parts.next());
        }
    }

    @Test
    void skippingAPartPartlyReadLandsOnTheNextOne() throws IOException {
        byte[] content = new byte[70_000];
        new Random(5).nextBytes(content);
        MultipartStream parts = new MultipartStream(trickle(form(content), 4000), BOUNDARY);
        parts.next();
        InputStream body = parts.next().body();
        byte[] start = body.readNBytes(12_345);
        assertArrayEquals(java.util.Arrays.copyOf(content, 12_345), start);
        assertEquals(1000, body.skip(1000));
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
