// How entry files can be made durable on this machine: 3,000 files of 4 KiB written and renamed
// by 8 threads, with an fsync each before the rename, or none and then a flush afterwards (fsync
// each from 1 or 4 threads, or one syncfs through `sync -f`). For docs/benchmarks.md, "Durability".
//   java bench/experiments/FsyncBench.java DIR COUNT
import java.nio.*; import java.nio.channels.*; import java.nio.file.*; import java.util.*; import java.util.concurrent.*;
public class FsyncBench {
  static Path root;
  static Path write(int i, boolean sync) throws Exception {
    Path tmp = Files.createTempFile(root.resolve("tmp"), "w-", ".e");
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) { c.write(ByteBuffer.allocate(4200)); if (sync) c.force(true); }
    Path t = root.resolve("e/" + (i % 256) + "/" + i + "-" + System.nanoTime());
    Files.move(tmp, t, StandardCopyOption.ATOMIC_MOVE);
    return t;
  }
  public static void main(String[] a) throws Exception {
    root = Files.createTempDirectory(Path.of(a[0]), "fsb");
    Files.createDirectories(root.resolve("tmp"));
    for (int d = 0; d < 256; d++) Files.createDirectories(root.resolve("e/" + d));
    int n = Integer.parseInt(a[1]);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (String mode : new String[]{"inline-fsync-8thr", "nofsync-8thr", "nofsync+bg-seq", "nofsync+bg-4thr", "nofsync+syncfs"}) {
      boolean inline = mode.startsWith("inline");
      long t0 = System.nanoTime();
      List<Future<Path>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) { int k = i; fs.add(pool.submit(() -> write(k, inline))); }
      List<Path> paths = new ArrayList<>(); for (var f : fs) paths.add(f.get());
      long t1 = System.nanoTime();
      if (mode.equals("nofsync+bg-seq")) for (Path p : paths) try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) { c.force(true); }
      if (mode.equals("nofsync+bg-4thr")) { ExecutorService s = Executors.newFixedThreadPool(4); List<Future<?>> x = new ArrayList<>(); for (Path p : paths) x.add(s.submit(() -> { try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) { c.force(true); } return null; })); for (var f : x) f.get(); s.shutdown(); }
      if (mode.equals("nofsync+syncfs")) new ProcessBuilder("sync", "-f", root.toString()).inheritIO().start().waitFor();
      if (!inline && !mode.equals("nofsync-8thr")) { for (int d = 0; d < 256; d++) try (FileChannel c = FileChannel.open(root.resolve("e/" + d), StandardOpenOption.READ)) { c.force(true); } }
      long t2 = System.nanoTime();
      System.out.printf("%-20s n=%d  write+commit %.0f ms (%.0f/s)  sync %.0f ms  load %s%n", mode, n, (t1-t0)/1e6, n/((t1-t0)/1e9), (t2-t1)/1e6, Files.readString(Path.of("/proc/loadavg")).trim());
    }
    pool.shutdown();
  }
}
