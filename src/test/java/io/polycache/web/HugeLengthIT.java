package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lengths are longs everywhere: a declared length past 2^31-1 is an honest 413, not a 500. */
class HugeLengthIT {
    @TempDir
    Path storage;

    private static String statusLine(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return in.readLine();
        }
    }

    @Test
    void aDeclaredLengthOfFourGibibytesIs413BeforeAnyBodyIsSent() throws Exception {
        try (TestServer server = TestServer.start(storage)) {
            String key = PolykitArtifact.randomKey(64);
            String status = statusLine(server.port(), "PUT /v1/artifacts/" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 4294967296\r\nExpect: 100-continue\r\n\r\n");
            assertEquals("HTTP/1.1 413 ", status);
            assertEquals(0, server.tmpEntries());
            assertTrue(server.get("/health").body().contains("healthy"), "the server keeps serving");
        }
    }
}
