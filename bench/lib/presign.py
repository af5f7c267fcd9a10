#!/usr/bin/env python3
"""Presigned GET URLs (AWS Signature Version 4, query string) for a list of object keys.

    presign.py ENDPOINT BUCKET KEY_PREFIX KEYS_FILE [EXPIRES_SECONDS]

Reads one key per line from KEYS_FILE and prints, for each, a path-style URL
ENDPOINT/BUCKET/KEY_PREFIX<key>?X-Amz-... that any HTTP client can GET. Credentials come from
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; the region is us-east-1. Standard library only, so
that the benchmarks can fetch objects straight from the S3 server with curl or wrk.
"""
import datetime
import hashlib
import hmac
import os
import sys
import urllib.parse


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def presign(endpoint, bucket, key, access, secret, expires, now, region="us-east-1"):
    parsed = urllib.parse.urlsplit(endpoint)
    host = parsed.netloc
    day = now.strftime("%Y%m%d")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{day}/{region}/s3/aws4_request"
    path = "/" + urllib.parse.quote(f"{bucket}/{key}", safe="/-_.~")
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{access}/{scope}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
    }
    canonical_query = "&".join(
        f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}" for k, v in sorted(query.items()))
    canonical = "\n".join(["GET", path, canonical_query, f"host:{host}\n", "host", "UNSIGNED-PAYLOAD"])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signing_key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), day), region), "s3"), "aws4_request")
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{parsed.scheme}://{host}{path}?{canonical_query}&X-Amz-Signature={signature}"


def main():
    endpoint, bucket, prefix, keys_file = sys.argv[1:5]
    expires = int(sys.argv[5]) if len(sys.argv) > 5 else 3600
    access, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    now = datetime.datetime.now(datetime.timezone.utc)
    with open(keys_file) as keys:
        for line in keys:
            key = line.strip()
            if key:
                print(presign(endpoint.rstrip("/"), bucket, prefix + key, access, secret, expires, now))


if __name__ == "__main__":
    main()
