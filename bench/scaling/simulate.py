#!/usr/bin/env python3
"""N Polycache nodes over one bucket, simulated: each node's local tier is an LRU of a fixed
number of entries, filled on reads; a local miss costs one S3 GET. Keys are requested with a
Zipf popularity (exponent S); the balancer routes either at random (round robin behaves alike)
or by key (consistent hashing, e.g. nginx `hash $request_uri consistent`).

Prints, per node count, the local-tier hit ratio and S3 GETs per 1000 reads for both routings.
Standard library only; deterministic (fixed seed). Usage: simulate.py [--keys K] [--tier C] ...
"""
import argparse
import bisect
import hashlib
import random
from collections import OrderedDict


def zipf_sampler(keys, s, rng):
    weights = [1.0 / (rank ** s) for rank in range(1, keys + 1)]
    total = sum(weights)
    cumulative, running = [], 0.0
    for w in weights:
        running += w / total
        cumulative.append(running)
    return lambda: min(bisect.bisect_left(cumulative, rng.random()), keys - 1)


class Ring:
    """Consistent hashing with virtual nodes, as nginx's ketama-style `consistent` does."""

    def __init__(self, nodes, vnodes=160):
        self.points = sorted((int(hashlib.md5(f"{n}-{v}".encode()).hexdigest()[:8], 16), n)
                             for n in range(nodes) for v in range(vnodes))
        self.hashes = [p for p, _ in self.points]

    def node(self, key):
        h = int(hashlib.md5(f"/v1/artifacts/{key}".encode()).hexdigest()[:8], 16)
        i = bisect.bisect(self.hashes, h) % len(self.points)
        return self.points[i][1]


def run(nodes, routing, args):
    rng = random.Random(args.seed)
    sample = zipf_sampler(args.keys, args.s, rng)
    tiers = [OrderedDict() for _ in range(nodes)]
    ring = Ring(nodes) if routing == "key" else None
    hits = gets = 0
    for i in range(args.warmup + args.requests):
        key = sample()
        node = ring.node(key) if ring else rng.randrange(nodes)
        tier = tiers[node]
        measured = i >= args.warmup
        if key in tier:
            tier.move_to_end(key)
            hits += measured
        else:
            gets += measured
            tier[key] = True
            if len(tier) > args.tier:
                tier.popitem(last=False)
    return hits / args.requests, 1000.0 * gets / args.requests


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--keys", type=int, default=100_000, help="distinct entries in the bucket")
    p.add_argument("--tier", type=int, default=10_000, help="entries one node's local tier holds")
    p.add_argument("--s", type=float, default=0.9, help="Zipf exponent of key popularity")
    p.add_argument("--requests", type=int, default=400_000)
    p.add_argument("--warmup", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--nodes", default="1,2,4,8,16,32,64")
    args = p.parse_args()
    print(f"keys={args.keys} tier={args.tier} zipf_s={args.s} requests={args.requests} (after {args.warmup} warm-up)")
    print("| nodes | hit ratio, random routing | S3 GETs / 1000 reads, random | hit ratio, key-affine | S3 GETs / 1000 reads, key-affine |")
    print("|---:|---:|---:|---:|---:|")
    for n in [int(x) for x in args.nodes.split(",")]:
        rh, rg = run(n, "random", args)
        kh, kg = run(n, "key", args)
        print(f"| {n} | {rh:.3f} | {rg:.0f} | {kh:.3f} | {kg:.0f} |")


if __name__ == "__main__":
    main()
