#!/usr/bin/env python3
"""Summarise an async-profiler collapsed-stack file (one "frame;frame;... count" per line).

    collapsed_top.py FILE [REQUESTS]

Prints the CPU split by thread role (request threads, the upload verifier, Tomcat's poller,
JIT, GC, start-up, the background scrub), then, for request and verifier threads, by the innermost "marker" frame
on the stack (what Polycache or Tomcat was doing), with the kernel's part of each, and the
top frames by self time. With REQUESTS, also CPU milliseconds per request (samples are 1 ms
of CPU each when the profiler ran with interval=1ms).
"""
import collections
import sys

ROLES = [  # first match wins, searched over the whole stack
    ("jit", ("CompileBroker",)),
    ("gc", ("G1", "GangWorker", "ConcurrentGCThread", "VMThread")),
    ("start-up", ("launcher/Main.main",)),
    ("background scrub", ("Scrubber.run",)),
    ("upload verifier", ("lambda$verifyAlongside",)),
    ("tomcat poller", ("NioEndpoint$Poller.run",)),
    ("tomcat acceptor", ("Acceptor.run",)),
    ("request threads", ("ThreadPoolExecutor$Worker.run", "TaskThread")),
]

MARKERS = [  # innermost match wins: (label, frame substring)
    ("SHA-256", "sha256_implCompress"),
    ("SHA-256", "MessageDigest.update"),
    ("zstd decoding", "ZstdInputStreamNoFinalizer.read"),
    ("tar parsing", "TarArchiveInputStream"),
    ("handoff between threads", "ChunkPipe"),
    ("file write", "ReservingOutputStream.write"),
    ("fsync", "StorageDirectory.fsync"),
    ("temp file create", "StorageDirectory.newTempFile"),
    ("commit (metadata, renames)", "ArtifactStore.commit"),
    ("socket read (request body)", "CoyoteInputStream.read"),
    ("artifact open (metadata + data file)", "ArtifactService.open"),
    ("body copy (file -> response buffer)", "ArtifactFilter.copy"),
    ("artifact close", "OpenArtifact.close"),
    ("entry read: other (FsEntryStore.open)", "FsEntryStore.open"),
    ("entry read: path computation", "ShardLayout.entry"),
    ("entry read: small-entry cache", "SmallEntryCache"),
    ("entry read: ledger touch", "SpaceLedger.touch"),
    ("entry read: file open", "FileChannel.open"),
    ("entry read: file size (fstat)", "FileChannelImpl.size"),
    ("entry read: file read", "EntryFile.readFully"),
    ("entry read: small file read (lent buffer)", "FsEntryStore.readLent"),
    ("entry read: metadata parse", "EntryFile.parse"),
    ("buffer allocation (ByteBuffer.allocate)", "ByteBuffer.allocate"),
    ("SHA-256 digest creation", "Sha256.newDigest"),
    ("entry read: file close", "AbstractInterruptibleChannel.close"),
    ("entry read: body write (-> response buffer)", "InMemory.transferTo"),
    ("metrics", "MetricsFilter.record"),
    ("upload (other)", "ArtifactService.put"),
    ("Jersey", "ServletContainer.service"),
    ("our filters (own work)", "io/polycache/web/filter"),
    ("artifact filter (own work)", "ArtifactFilter.doFilter"),
    ("Tomcat: response commit + socket write", "Response.finishResponse"),
    ("Tomcat: valves, mapping, facades", "CoyoteAdapter.service"),
    ("Tomcat: HTTP parsing, keep-alive, dispatch", "Http11Processor.service"),
    ("Tomcat: worker hand-off", "SocketProcessorBase.run"),
]


def main():
    path = sys.argv[1]
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    total = 0
    roles = collections.Counter()
    marks = {"request threads": collections.Counter(), "upload verifier": collections.Counter()}
    kernel = {"request threads": collections.Counter(), "upload verifier": collections.Counter()}
    self_time = collections.Counter()
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            n = int(count)
            frames = stack.split(";")
            total += n
            joined = ";".join(frames)
            role = next((r for r, keys in ROLES if any(k in joined for k in keys)), "other")
            roles[role] += n
            self_time[frames[-1]] += n
            if role in marks:
                label = "other"
                for frame in reversed(frames):
                    hit = next((lab for lab, key in MARKERS if key in frame), None)
                    if hit:
                        label = hit
                        break
                marks[role][label] += n
                if frames[-1].endswith("_[k]"):
                    kernel[role][label] += n
    if total == 0:
        sys.exit(f"{path}: no samples")
    print(f"{total} samples ({total / 1000:.1f} s of CPU at 1 ms)")
    if requests:
        print(f"{requests} requests: {total / requests:.3f} ms of CPU per request, all threads")
    print("\n-- CPU by thread role")
    for role, n in roles.most_common():
        extra = f"  ({n / requests:.3f} ms per request)" if requests else ""
        print(f"{100 * n / total:5.1f}%  {role}{extra}")
    for role in marks:
        if not roles[role]:
            continue
        print(f"\n-- {role}: by what the thread was doing (share of all samples; kernel part)")
        for label, n in marks[role].most_common():
            print(f"{100 * n / total:5.1f}%  (kernel {100 * kernel[role][label] / total:4.1f}%)  {label}")
    print("\n-- top 25 frames, self time")
    for frame, n in self_time.most_common(25):
        print(f"{100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
