package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.polycache.deps.Drafts;
import io.polycache.deps.InvalidRequestException;
import io.polycache.deps.RequestDraft;
import io.polycache.testing.Fuzz;
import io.polycache.web.multipart.MalformedMultipartException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The dependency request reader (JSON and multipart) and the validation after it, on damaged
 * requests: an install request comes out, or an InvalidRequestException or
 * MalformedMultipartException (both 400), never another exception.
 */
class CacheRequestReaderFuzzTest {
    private static final String BOUNDARY = "fuzz-boundary-20";
    private static Path staging;

    private static final String PACKAGE_JSON = "{\"name\":\"app\",\"dependencies\":{\"left-pad\":\"1.3.0\"}}";

    @BeforeContainer
    static void createStaging() throws IOException {
        staging = Files.createTempDirectory("polycache-fuzz-");
    }

    @AfterContainer
    static void removeStaging() throws IOException {
        io.polycache.store.StorageDirectory.deleteRecursively(staging);
    }

    private static byte[] json() {
        String base64 = Base64.getEncoder().encodeToString(PACKAGE_JSON.getBytes(StandardCharsets.UTF_8));
        return ("{\"manager\":\"npm\",\"hash\":\"x\",\"versions\":{\"node\":\"20.11.1\",\"npm\":\"10.2.4\"},"
                + "\"custom_args\":[\"--ignore-scripts\"],\"platform\":{\"os\":\"linux\",\"arch\":\"x64\"},"
                + "\"files\":{\"package.json\":\"" + base64 + "\",\"package-lock.json\":\"" + base64 + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] multipart() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[][] fields = {{"manager", null, "npm"}, {"versions", null, "{\"node\":\"20.11.1\",\"npm\":\"10.2.4\"}"},
            {"custom_args", null, "[\"--ignore-scripts\"]"}, {"file[]", "package.json", PACKAGE_JSON},
            {"file[]", "package-lock.json", PACKAGE_JSON}};
        for (String[] field : fields) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\""
                    + (field[1] == null ? "" : "; filename=\"" + field[1] + "\"") + "\r\n\r\n" + field[2] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Provide
    Arbitrary<byte[]> jsonBodies() {
        return Fuzz.mutationsOf(json());
    }

    @Provide
    Arbitrary<byte[]> multipartBodies() {
        return Fuzz.mutationsOf(multipart());
    }

    @Property(seed = Fuzz.SEED)
    void aDamagedJsonRequestIsReadOrRefused(@ForAll("jsonBodies") byte[] body) throws IOException {
        try (RequestDraft draft = Drafts.in(Files.createTempDirectory(staging, "draft-"))) {
            CacheRequestReader.readJson(new ByteArrayInputStream(body), draft);
            assertNotNull(draft.validate());
        } catch (InvalidRequestException refused) {
            assertNotNull(refused.getMessage());
        }
    }

    @Property(seed = Fuzz.SEED)
    void aDamagedMultipartRequestIsReadOrRefused(@ForAll("multipartBodies") byte[] body) throws IOException {
        try (RequestDraft draft = Drafts.in(Files.createTempDirectory(staging, "draft-"))) {
            CacheRequestReader.readMultipart(new ByteArrayInputStream(body), BOUNDARY, draft);
            assertNotNull(draft.validate());
        } catch (InvalidRequestException | MalformedMultipartException refused) {
            assertNotNull(refused.getMessage());
        }
    }
}
