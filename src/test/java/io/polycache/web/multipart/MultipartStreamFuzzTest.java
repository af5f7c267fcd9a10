package io.polycache.web.multipart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.polycache.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The multipart reader on any body: a well-formed one gives back exactly its parts, and
 * anything else is read or refused with a MalformedMultipartException, never another exception.
 */
class MultipartStreamFuzzTest {
    private static final String BOUNDARY = "----polycacheFuzzBoundary7";

    private static byte[] form(List<byte[]> contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < contents.size(); i++) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"f" + i
                    + "\"; filename=\"package.json\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(contents.get(i));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Provide
    Arbitrary<List<byte[]>> contents() {
        // Bytes of the delimiter itself are the hard case for the search.
        byte[] alphabet = ("\r\n-x" + BOUNDARY).getBytes(StandardCharsets.US_ASCII);
        Arbitrary<byte[]> content = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(3000),
                Arbitraries.integers().between(0, alphabet.length - 1).list().ofMaxSize(3000).map(indexes -> {
                    byte[] bytes = new byte[indexes.size()];
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = alphabet[indexes.get(i)];
                    }
                    return bytes;
                }));
        return content.list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<byte[]> damaged() {
        return Fuzz.mutationsOf(form(List.of("{\"name\":\"x\"}".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0, 1, 2, '\r', '\n', '-', '-'})));
    }

    @Property(seed = Fuzz.SEED)
    void aWellFormedBodyGivesBackExactlyItsParts(@ForAll("contents") List<byte[]> contents) throws IOException {
        MultipartStream parts = new MultipartStream(new ByteArrayInputStream(form(contents)), BOUNDARY);
        for (int i = 0; i < contents.size(); i++) {
            MultipartStream.Part part = parts.next();
            assertEquals("f" + i, part.name());
            assertEquals("package.json", part.filename());
            assertArrayEquals(contents.get(i), part.body().readAllBytes());
        }
        assertNull(parts.next());
    }

    @Property(seed = Fuzz.SEED)
    void aDamagedBodyIsReadOrRefused(@ForAll("damaged") byte[] body) throws IOException {
        try {
            MultipartStream parts = new MultipartStream(new ByteArrayInputStream(body), BOUNDARY);
            for (MultipartStream.Part part = parts.next(); part != null; part = parts.next()) {
                part.body().transferTo(java.io.OutputStream.nullOutputStream());
            }
        } catch (MalformedMultipartException refused) {
            // a 400
        }
    }
}
