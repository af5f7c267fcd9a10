package io.polycache.store.fs;

import io.polycache.store.EntryMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The one-file form of an entry: the body at offset 0 (so it can be sent with sendfile as it
 * is), then its metadata, then a fixed footer that says where the metadata starts:
 *
 * <pre>
 * body            size bytes
 * metadata        "PCE1", SHA-256 (32 bytes), created (epoch ms, 8), header count (2),
 *                 per header: name length (2), name (UTF-8), value length (2), value (UTF-8)
 * footer (20)     body size (8), metadata length (4), CRC-32 of the metadata (4), "PCEF"
 * </pre>
 *
 * All numbers big-endian. A file is whole exactly when its length is body size + metadata length
 * + 20, both magics are there and the CRC matches: a torn or truncated file fails that check and
 * is never served.
 */
public final class EntryFile {
    static final int FOOTER = 20;
    private static final int META_MAGIC = 0x50434531; // "PCE1"
    private static final int FOOTER_MAGIC = 0x50434546; // "PCEF"
    /** Metadata is bounded (EntryMeta's header limits), so this always holds footer and metadata. */
    static final int TAIL_READ = 64 * 1024;

    private EntryFile() {}

    /** The file is not a whole entry. */
    public static final class DamagedException extends IOException {
        DamagedException(String message) {
            super(message);
        }
    }

    /** Metadata and footer, to be written right after the body. */
    public static ByteBuffer trailer(EntryMeta meta) {
        byte[][] names = new byte[meta.headers().size()][];
        byte[][] values = new byte[names.length][];
        int length = 4 + 32 + 8 + 2;
        int i = 0;
        for (Map.Entry<String, String> header : new java.util.TreeMap<>(meta.headers()).entrySet()) {
            names[i] = header.getKey().getBytes(StandardCharsets.UTF_8);
            values[i] = header.getValue().getBytes(StandardCharsets.UTF_8);
            length += 4 + names[i].length + values[i].length;
            i++;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length + FOOTER);
        buffer.putInt(META_MAGIC);
        buffer.put(HexFormat.of().parseHex(meta.sha256()));
        buffer.putLong(meta.createdMillis());
        buffer.putShort((short) names.length);
        for (int j = 0; j < names.length; j++) {
            buffer.putShort((short) names[j].length).put(names[j]);
            buffer.putShort((short) values[j].length).put(values[j]);
        }
        CRC32 crc = new CRC32();
        crc.update(buffer.array(), 0, length);
        buffer.putLong(meta.size());
        buffer.putInt(length);
        buffer.putInt((int) crc.getValue());
        buffer.putInt(FOOTER_MAGIC);
        buffer.flip();
        return buffer;
    }

    /** Reads the metadata of the entry in {@code file} (of {@code fileSize} bytes). */
    public static EntryMeta read(FileChannel file, long fileSize) throws IOException {
        int tail = (int) Math.min(fileSize, TAIL_READ);
        ByteBuffer buffer = ByteBuffer.allocate(tail);
        readFully(file, buffer, fileSize - tail);
        return parse(buffer.array(), 0, tail, fileSize);
    }

    /**
     * Parses the metadata from the last {@code length} bytes of a file of {@code fileSize}
     * bytes, held in {@code bytes} from {@code offset}.
     */
    public static EntryMeta parse(byte[] bytes, int offset, int length, long fileSize) throws DamagedException {
        if (length < FOOTER) {
            throw new DamagedException("shorter than a footer");
        }
        ByteBuffer footer = ByteBuffer.wrap(bytes, offset + length - FOOTER, FOOTER);
        long size = footer.getLong();
        int metaLength = footer.getInt();
        int crcValue = footer.getInt();
        if (footer.getInt() != FOOTER_MAGIC) {
            throw new DamagedException("no footer");
        }
        if (metaLength < 46 || metaLength > length - FOOTER || size < 0 || size + metaLength + FOOTER != fileSize) {
            throw new DamagedException("length " + fileSize + " does not match its footer");
        }
        int metaStart = offset + length - FOOTER - metaLength;
        CRC32 crc = new CRC32();
        crc.update(bytes, metaStart, metaLength);
        if ((int) crc.getValue() != crcValue) {
            throw new DamagedException("metadata checksum mismatch");
        }
        ByteBuffer meta = ByteBuffer.wrap(bytes, metaStart, metaLength);
        try {
            if (meta.getInt() != META_MAGIC) {
                throw new DamagedException("no metadata");
            }
            byte[] sha = new byte[32];
            meta.get(sha);
            long created = meta.getLong();
            int count = meta.getShort() & 0xffff;
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                headers.put(string(meta), string(meta));
            }
            return new EntryMeta(size, HexFormat.of().formatHex(sha), created, headers);
        } catch (RuntimeException e) {
            throw new DamagedException("unreadable metadata: " + e.getMessage());
        }
    }

    /**
     * True if the body of a whole entry file held in {@code file} from offset 0 (one that
     * {@link #parse} accepted as {@code meta}) matches the SHA-256 its metadata records. Compares
     * the digest with the recorded bytes themselves (covered by the metadata's CRC), so nothing is
     * formatted or allocated: {@code sha} is reset and used, {@code digest} (32 bytes) receives it.
     */
    static boolean bodyMatches(byte[] file, EntryMeta meta, MessageDigest sha, byte[] digest) {
        int size = (int) meta.size();
        sha.reset();
        sha.update(file, 0, size);
        try {
            sha.digest(digest, 0, 32);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        int recorded = size + 4; // the metadata follows the body: magic (4), then the SHA-256
        return java.util.Arrays.equals(digest, 0, 32, file, recorded, recorded + 32);
    }

    private static String string(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getShort() & 0xffff];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void readFully(FileChannel file, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = file.read(buffer, position);
            if (n < 0) {
                throw new DamagedException("ends early");
            }
            position += n;
        }
    }
}
