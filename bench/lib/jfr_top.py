#!/usr/bin/env python3
"""Summarises the execution samples of a JFR recording: where the CPU time goes.

usage: jfr_top.py RECORDING.jfr [N]
Prints the top frames (self time), the heaviest frames counted inclusively, and the share by
layer (Tomcat, Jersey/HK2, Jackson, JDK I/O, Polycache, zstd, ...).
"""
import collections
import json
import subprocess
import sys

path = sys.argv[1]
top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
self_count = collections.Counter()
incl = collections.Counter()
layers = collections.Counter()


def name(frame):
    m = frame["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]


def layer(method):
    for prefix, label in [("io.polycache", "polycache"), ("org.glassfish.jersey", "jersey"),
                          ("org.glassfish.hk2", "hk2"), ("org.jvnet.hk2", "hk2"),
                          ("com.fasterxml.jackson", "jackson"), ("org.apache.catalina", "tomcat-catalina"),
                          ("org.apache.coyote", "tomcat-coyote"), ("org.apache.tomcat", "tomcat-util"),
                          ("com.github.luben.zstd", "zstd"), ("org.apache.commons.compress", "commons-compress"),
                          ("sun.security", "jdk-crypto"), ("sun.nio", "jdk-nio"), ("java.", "jdk"),
                          ("jdk.", "jdk"), ("sun.", "jdk")]:
        if method.startswith(prefix):
            return label
    return "other"


for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    if not frames:
        continue
    top = name(frames[0])
    self_count[top] += 1
    layers[layer(top)] += 1
    for m in set(name(f) for f in frames):
        incl[m] += 1

SELECTED = [
    "org.apache.catalina.connector.CoyoteAdapter.service",
    "io.polycache.web.filter.ApiKeyFilter.doFilter",
    "org.glassfish.jersey.servlet.ServletContainer.service",
    "org.glassfish.jersey.server.internal.routing.RoutingStage.apply",
    "org.jvnet.hk2.internal.Utilities.createService",
    "org.glassfish.jersey.process.internal.RequestScope.release",
    "org.glassfish.jersey.server.model.ResourceMethodInvoker.apply",
    "io.polycache.web.ArtifactResource.get",
    "io.polycache.web.ArtifactResource.put",
    "io.polycache.artifact.ArtifactService.open",
    "io.polycache.store.ArtifactStore.metadata",
    "com.fasterxml.jackson.databind.ObjectMapper.readTree",
    "org.glassfish.jersey.server.ServerRuntime$Responder.writeResponse",
    "java.io.InputStream.transferTo",
    "sun.nio.ch.FileChannelImpl.read",
    "org.apache.coyote.http11.Http11OutputBuffer.doWrite",
    "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite",
    "io.polycache.artifact.ArtifactService.put",
    "io.polycache.artifact.ArtifactVerifier.verify",
    "io.polycache.artifact.TeeInputStream.read",
    "com.github.luben.zstd.ZstdInputStreamNoFinalizer.read",
    "com.github.luben.zstd.ZstdInputStreamNoFinalizer.<init>",
    "org.apache.commons.compress.archivers.tar.TarArchiveInputStream.getNextEntry",
    "io.polycache.artifact.Hashing.copy",
    "java.security.MessageDigest.update",
    "java.io.BufferedOutputStream.write",
    "sun.nio.ch.FileChannelImpl.write",
    "java.io.FileOutputStream.write",
    "io.polycache.store.StorageDirectory.fsync",
    "io.polycache.store.ArtifactStore.commit",
    "io.polycache.store.StorageDirectory.newTempFile",
    "org.apache.catalina.connector.CoyoteInputStream.read",
]

total = sum(self_count.values())
print(f"{total} samples")
print("\n-- self time by layer")
for k, v in layers.most_common():
    print(f"{100 * v / total:5.1f}%  {k}")
print(f"\n-- top {top_n} frames, self time")
for k, v in self_count.most_common(top_n):
    print(f"{100 * v / total:5.1f}%  {k}")
print("\n-- selected frames, inclusive (share of samples with the frame on the stack)")
for k in SELECTED:
    if incl.get(k):
        print(f"{100 * incl[k] / total:5.1f}%  {k}")
print(f"\n-- top {top_n} frames, inclusive")
for k, v in incl.most_common(top_n):
    print(f"{100 * v / total:5.1f}%  {k}")
