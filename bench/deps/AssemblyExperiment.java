import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Row 7 what-if: how long would the bundle ZIP take to assemble if ZipAssembler worked
 * differently? Not the server: a stand-alone copy of its loop (commons-compress from the WAR,
 * SHA-256 check of each blob as it is copied, entries in path order), run on an installed tree
 * whose files stand in for the blobs.
 *
 * <pre>
 *   current     DEFLATED at the default level (6) + SHA-256 of each blob: what the server does
 *   level1      DEFLATED at Deflater.BEST_SPEED + SHA-256
 *   stored      STORED (no compression) + SHA-256
 *   predeflated blobs deflated once ahead of time (at ingest; not timed), copied as raw deflate
 *               streams with addRawArchiveEntry + SHA-256 of the stored (compressed) bytes
 * </pre>
 *
 * Usage: java -cp 'lib/*' bench/deps/AssemblyExperiment.java TREE_DIR SCRATCH_DIR [RUNS]
 * Prints one line per mode: mode, median seconds, min, max, zip bytes.
 */
public class AssemblyExperiment {
    record Item(String path, Path file, boolean link, String target, boolean exec, long size,
                long crc, Path raw, long rawSize, byte[] rawSha) {}

    public static void main(String[] args) throws Exception {
        Path tree = Path.of(args[0]);
        Path scratch = Path.of(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Files.createDirectories(scratch.resolve("raw"));
        List<Item> items = new ArrayList<>();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(tree.resolve("node_modules"))) {
            paths = s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        int n = 0;
        for (Path p : paths) {
            String rel = tree.relativize(p).toString();
            if (Files.isSymbolicLink(p)) {
                items.add(new Item(rel, p, true, Files.readSymbolicLink(p).toString(), false, 0, 0, null, 0, null));
                continue;
            }
            byte[] data = Files.readAllBytes(p);
            CRC32 crc = new CRC32();
            crc.update(data);
            Path raw = scratch.resolve("raw").resolve(Integer.toString(n++));
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true); // raw deflate, as in a ZIP
            try (OutputStream o = new DeflaterOutputStream(Files.newOutputStream(raw), d)) {
                o.write(data);
            }
            d.end();
            byte[] rawBytes = Files.readAllBytes(raw);
            items.add(new Item(rel, p, false, null, Files.isExecutable(p), data.length, crc.getValue(), raw,
                rawBytes.length, MessageDigest.getInstance("SHA-256").digest(rawBytes)));
        }
        System.err.println(items.size() + " entries; pre-deflated copies in " + scratch.resolve("raw"));
        for (String mode : List.of("current", "level1", "stored", "predeflated")) {
            double[] t = new double[runs];
            long bytes = 0;
            for (int r = -1; r < runs; r++) { // r = -1: warm-up
                Path out = scratch.resolve(mode + ".zip");
                Files.deleteIfExists(out);
                long t0 = System.nanoTime();
                write(items, out, mode);
                if (r >= 0) t[r] = (System.nanoTime() - t0) / 1e9;
                bytes = Files.size(out);
            }
            Arrays.sort(t);
            System.out.printf("%s\t%.3f\t%.3f\t%.3f\t%d%n", mode, t[runs / 2], t[0], t[runs - 1], bytes);
        }
    }

    static void write(List<Item> items, Path target, String mode) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(target)) {
            if (mode.equals("level1")) zip.setLevel(Deflater.BEST_SPEED);
            for (Item it : items) {
                ZipArchiveEntry e = new ZipArchiveEntry(it.path());
                e.setTime(315532800000L);
                if (it.link()) {
                    byte[] b = it.target().getBytes(StandardCharsets.UTF_8);
                    e.setMethod(ZipEntry.STORED);
                    e.setUnixMode(0120777);
                    e.setSize(b.length);
                    zip.putArchiveEntry(e);
                    zip.write(b);
                    zip.closeArchiveEntry();
                    continue;
                }
                e.setUnixMode(0100000 | (it.exec() ? 0755 : 0644));
                if (mode.equals("predeflated")) {
                    e.setMethod(ZipEntry.DEFLATED);
                    e.setSize(it.size());
                    e.setCompressedSize(it.rawSize());
                    e.setCrc(it.crc());
                    MessageDigest md = sha();
                    try (InputStream in = new DigestInputStream(Files.newInputStream(it.raw()), md)) {
                        zip.addRawArchiveEntry(e, in);
                    }
                    if (!MessageDigest.isEqual(md.digest(), it.rawSha())) throw new IOException("corrupt " + it.path());
                    continue;
                }
                e.setMethod(mode.equals("stored") ? ZipEntry.STORED : ZipEntry.DEFLATED);
                e.setSize(it.size());
                if (mode.equals("stored")) e.setCrc(it.crc());
                zip.putArchiveEntry(e);
                MessageDigest md = sha();
                try (InputStream in = new DigestInputStream(Files.newInputStream(it.file()), md)) {
                    int k;
                    while ((k = in.read(buffer)) >= 0) zip.write(buffer, 0, k);
                }
                HexFormat.of().formatHex(md.digest()); // the server compares the hex digest with the index
                zip.closeArchiveEntry();
            }
            zip.finish();
        }
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
