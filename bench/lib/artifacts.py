#!/usr/bin/env python3
"""Builds Polykit artifacts for the benchmarks, without any third-party Python package.

An artifact is what the Polykit client uploads: a GNU tar of metadata.json, manifest.json and
outputs/<path>, compressed with zstd level 3 (the zstd CLI does the compressing).

  small DIR COUNT SIZE   COUNT artifacts of about SIZE bytes each (one random output file,
                         sized so the compressed body comes out near SIZE), as DIR/<key>.zst,
                         keys listed in DIR/keys.txt. Adds to what DIR already holds.
  large DIR SIZE         the parts of artifacts whose single output file has SIZE random bytes:
                         DIR/shared.zst (a zstd -3 frame of manifest.json, outputs/data.bin and
                         the tar end) and DIR/head.prefix + DIR/head.suffix, from which
  seed DIR KEYS LAYOUT TARGET   places DIR/<key>.zst for the listed keys straight into a
                         server's storage (LAYOUT polycache or turbo); see seed().
  mass DIR COUNT STORAGE [WORKERS]
                         places COUNT entries straight into Polycache's storage directory
                         STORAGE (entries/polykit/aa/bb/<key>), new random keys, the bodies
                         taken in turn from DIR's small artifacts; appends to STORAGE/../mass-keys.txt
                         (keys) and mass-paths.txt (aa/bb/<key>, for nginx). About a minute per
                         million on 2 cores: for the million-entry rows (start-up, reads).
  head DIR KEY           writes to stdout the first frame for KEY: a zstd frame with one raw
                         (stored) block holding the tar entry metadata.json for KEY.
                         `head DIR KEY` followed by DIR/shared.zst is a complete artifact: a zstd
                         stream may hold several frames, decoded as the concatenation.

Why the split: every upload needs a fresh key, and the key lives inside metadata.json. With
the split, a new 256 MiB or 1 GiB artifact costs a ~1 KiB header instead of a recompression.
"""
import hashlib
import json
import os
import secrets
import struct
import subprocess
import zlib
import sys
import tarfile
import io

MTIME = 1763700000
BLOCK = 512


def tar_entry(name, content_len):
    info = tarfile.TarInfo(name)
    info.size = content_len
    info.mode = 0
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(format=tarfile.GNU_FORMAT)


def padding(n):
    return b"\0" * ((BLOCK - n % BLOCK) % BLOCK)


def metadata_bytes(key):
    return json.dumps({
        "package_name": "bench",
        "task_name": "build",
        "command": "polycache-bench",
        "cache_key_hash": key,
        "created_at": MTIME,
        "version": 1,
    }, separators=(",", ":")).encode()


def manifest_bytes(files):
    return json.dumps({
        "files": {path: digest for path, digest, _ in files},
        "total_size": sum(size for _, _, size in files),
    }, separators=(",", ":")).encode()


def member(name, content):
    return tar_entry(name, len(content)) + content + padding(len(content))


def new_key():
    return secrets.token_hex(32)  # 64 hex characters, like a SHA-256


def small(directory, count, size):
    os.makedirs(directory, exist_ok=True)
    keys_file = os.path.join(directory, "keys.txt")
    have = []
    if os.path.exists(keys_file):
        with open(keys_file) as f:
            have = [line.strip() for line in f if line.strip()]
    # Fixed overhead of the compressed tar (headers, JSON, padding) measured once, so the random
    # output file can be sized to bring the body close to SIZE.
    overhead = 444
    payload = max(1, size - overhead)
    made = []
    tars = os.path.join(directory, "tars")
    os.makedirs(tars, exist_ok=True)
    for _ in range(count - len(have)):
        key = new_key()
        content = os.urandom(payload)
        files = [("dist/bundle.bin", hashlib.sha256(content).hexdigest(), len(content))]
        body = (member("metadata.json", metadata_bytes(key))
                + member("manifest.json", manifest_bytes(files))
                + member("outputs/dist/bundle.bin", content)
                + b"\0" * (2 * BLOCK))
        with open(os.path.join(tars, key), "wb") as f:
            f.write(body)
        made.append(key)
    if made:
        # One zstd process for all of them: -r walks the folder, --rm drops each tar.
        subprocess.run(["zstd", "-3", "-q", "-f", "--rm", "-r", tars], check=True)
        for key in made:
            os.replace(os.path.join(tars, key + ".zst"), os.path.join(directory, key + ".zst"))
        with open(keys_file, "a") as f:
            f.writelines(key + "\n" for key in made)
    os.rmdir(tars)


def raw_zstd_frame(data):
    """A zstd frame holding data in raw (stored) blocks, no checksum."""
    out = bytearray(struct.pack("<I", 0xFD2FB528))
    out.append(0x00)               # frame header descriptor: no FCS, no dict, no checksum, not single-segment
    out.append(3 << 3)             # window descriptor: 2^(10+3) = 8 KiB window
    step = 8 * 1024
    for start in range(0, max(len(data), 1), step):
        chunk = data[start:start + step]
        last = 1 if start + step >= len(data) else 0
        header = (len(chunk) << 3) | (0 << 1) | last   # block type 0 = raw
        out += struct.pack("<I", header)[:3]
        out += chunk
    return bytes(out)


def large(directory, size):
    os.makedirs(directory, exist_ok=True)
    # Pseudo-random content: an 8 MiB random block repeated. zstd -3 keeps at most a few MiB of
    # history, so the repetition is invisible to it and the data stays incompressible.
    block = os.urandom(8 * 1024 * 1024)

    def chunks():
        left = size
        while left > 0:
            n = min(left, len(block))
            yield block[:n]
            left -= n

    sha = hashlib.sha256()
    for c in chunks():
        sha.update(c)
    files = [("data.bin", sha.hexdigest(), size)]
    shared = os.path.join(directory, "shared.zst")
    with open(shared + ".part", "wb") as out:
        z = subprocess.Popen(["zstd", "-3", "-q", "-c"], stdin=subprocess.PIPE, stdout=out)
        z.stdin.write(member("manifest.json", manifest_bytes(files)))
        z.stdin.write(tar_entry("outputs/data.bin", size))
        for c in chunks():
            z.stdin.write(c)
        z.stdin.write(padding(size) + b"\0" * (2 * BLOCK))
        z.stdin.close()
        if z.wait() != 0:
            sys.exit("zstd failed")
    os.replace(shared + ".part", shared)
    placeholder = "k" * 64
    frame = raw_zstd_frame(member("metadata.json", metadata_bytes(placeholder)))
    at = frame.index(placeholder.encode())
    with open(os.path.join(directory, "head.prefix"), "wb") as f:
        f.write(frame[:at])
    with open(os.path.join(directory, "head.suffix"), "wb") as f:
        f.write(frame[at + 64:])


def shard_of(key):
    """Polycache's shard directory for a key (store.ShardLayout.shardOf): a spread of Java's
    String.hashCode, two hex digits per level."""
    h = 0
    for ch in key:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    return "%x%x/%x%x" % ((h >> 12) & 0xF, (h >> 8) & 0xF, (h >> 4) & 0xF, h & 0xF)


def entry_file(body, created_ms):
    """The body followed by Polycache's entry trailer (store.fs.EntryFile): metadata (magic,
    SHA-256, created, no headers) and the footer (body size, metadata length, CRC-32, magic)."""
    meta = struct.pack(">I", 0x50434531) + hashlib.sha256(body).digest() + struct.pack(">qH", created_ms, 0)
    footer = struct.pack(">qiiI", len(body), len(meta), _signed(zlib.crc32(meta)), 0x50434546)
    return body + meta + footer


def _signed(value):
    return value - (1 << 32) if value >= (1 << 31) else value


def seed(directory, keys_file, layout, target):
    """Places stored artifacts straight into a server's storage directory, as its PUT would
    have left them: for the scaling-by-entries rows, where 100k uploads with an fsync each would
    take longer than the benchmark. polycache: entries/polykit/aa/bb/<key>, one file of body and
    metadata (Polycache reads it by path, so it serves what is placed while it runs); turbo and
    nginx: <dir>/<key>, the body alone."""
    import shutil
    import time
    with open(keys_file) as f:
        keys = [line.strip() for line in f if line.strip()]
    created = int(time.time() * 1000)
    for key in keys:
        src = os.path.join(directory, key + ".zst")
        if layout in ("turbo", "nginx"):
            os.makedirs(target, exist_ok=True)
            shutil.copyfile(src, os.path.join(target, key))
            continue
        with open(src, "rb") as f:
            body = f.read()
        shard = os.path.join(target, "entries", "polykit", shard_of(key))
        os.makedirs(shard, exist_ok=True)
        with open(os.path.join(shard, key), "wb") as f:
            f.write(entry_file(body, created))


def mass(directory, count, storage, workers=2):
    """See the module doc. Each worker writes its share with one open/write/close per file
    (the trailer of each distinct body is computed once); keys are random, so that the shards
    fill as real keys fill them."""
    import multiprocessing
    import time
    with open(os.path.join(directory, "keys.txt")) as f:
        sources = [line.strip() for line in f if line.strip()]
    created = int(time.time() * 1000)
    files = []
    for key in sources:
        with open(os.path.join(directory, key + ".zst"), "rb") as f:
            files.append(entry_file(f.read(), created))
    base = os.path.join(storage, "entries", "polykit")
    for a in range(256):
        for b in range(256):
            os.makedirs(os.path.join(base, "%02x" % a, "%02x" % b), exist_ok=True)
    share = [count // workers + (1 if i < count % workers else 0) for i in range(workers)]
    with multiprocessing.Pool(workers) as pool:
        parts = pool.starmap(_mass_part, [(base, files, n, i) for i, n in enumerate(share)])
    parent = os.path.dirname(os.path.abspath(storage))
    with open(os.path.join(parent, "mass-keys.txt"), "a") as keys_out, \
            open(os.path.join(parent, "mass-paths.txt"), "a") as paths_out:
        for keys in parts:
            for key in keys:
                keys_out.write(key + "\n")
                paths_out.write(shard_of(key) + "/" + key + "\n")


def _mass_part(base, files, count, seed):
    keys = []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for i in range(count):
        key = secrets.token_hex(32)
        fd = os.open(os.path.join(base, shard_of(key), key), flags, 0o644)
        try:
            os.write(fd, files[(i * 2 + seed) % len(files)])
        finally:
            os.close(fd)
        keys.append(key)
    return keys


def head(directory, key):
    if len(key) != 64:
        sys.exit("key must have 64 hex characters")
    with open(os.path.join(directory, "head.prefix"), "rb") as f:
        prefix = f.read()
    with open(os.path.join(directory, "head.suffix"), "rb") as f:
        suffix = f.read()
    sys.stdout.buffer.write(prefix + key.encode() + suffix)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "small":
        small(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "large":
        large(sys.argv[2], int(sys.argv[3]))
    elif cmd == "head":
        head(sys.argv[2], sys.argv[3])
    elif cmd == "seed":
        seed(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif cmd == "mass":
        mass(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    elif cmd == "key":
        print(new_key())
    else:
        sys.exit(__doc__)
