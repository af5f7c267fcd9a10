// Where a small entry's temp file should live: 64 threads write 4 KiB files and rename each into
// a 2-level shard directory (256x256, created on demand as FsEntryStore does), the temp file in
// one shared tmp/ directory, in one of 16 tmp/ subdirectories, or in the target shard directory.
//   java TempDirBench.java DIR COUNT ROUNDS
import java.nio.*; import java.nio.channels.*; import java.nio.file.*; import java.util.*; import java.util.concurrent.*; import java.util.concurrent.atomic.*;
public class TempDirBench {
  static final AtomicLong seq = new AtomicLong();
  static void write(Path root, String mode, Random r) throws Exception {
    long n = seq.incrementAndGet();
    String hex = String.format("%064x", new java.math.BigInteger(256, r));
    Path target = root.resolve("entries/" + hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex);
    Path tmp = switch (mode) {
      case "one-tmp" -> root.resolve("tmp/w-" + n);
      case "tmp-16" -> root.resolve("tmp/" + (n & 15) + "/w-" + n);
      default -> target.resolveSibling(".w-" + n);
    };
    if (mode.equals("in-shard")) Files.createDirectories(target.getParent());
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) { c.write(ByteBuffer.allocate(4200)); }
    try { Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE); }
    catch (NoSuchFileException e) { Files.createDirectories(target.getParent()); Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE); }
  }
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[1]), rounds = Integer.parseInt(a[2]);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    for (int round = 1; round <= rounds; round++) for (String mode : new String[]{"one-tmp", "tmp-16", "in-shard"}) {
      Path root = Files.createTempDirectory(Path.of(a[0]), "tdb");
      Files.createDirectories(root.resolve("tmp")); for (int i = 0; i < 16; i++) Files.createDirectories(root.resolve("tmp/" + i));
      // a warm store: every shard directory exists already
      for (int x = 0; x < 256; x++) for (int y = 0; y < 256; y++) Files.createDirectories(root.resolve(String.format("entries/%02x/%02x", x, y)));
      new ProcessBuilder("sync").start().waitFor();
      long t0 = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 64; t++) { int seed = t; fs.add(pool.submit(() -> { Random r = new Random(seed); for (int i = 0; i < n / 64; i++) write(root, mode, r); return null; })); }
      for (var f : fs) f.get();
      long t1 = System.nanoTime();
      System.out.printf("round %d %-9s %d files: %.0f files/s  load %s%n", round, mode, n, n / ((t1 - t0) / 1e9), Files.readString(Path.of("/proc/loadavg")).trim());
      new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }
    pool.shutdown();
  }
}
