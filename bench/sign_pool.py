#!/usr/bin/env python3
"""Writes a pool of complete, SigV4-signed raw HTTP requests for bench/lua/signed_pool.lua.

usage: sign_pool.py --out FILE --port P --access-key AK --secret SK [--op GetItem] [--n 10000]
                    [--kv 10000] [--region us-east-1] [--seed S]

Each request is a GetItem of a random bench_kv key (pk = "user#<i>", i in [0, --kv)) signed by
botocore's SigV4Auth exactly as boto3 signs it (host, content-type, x-amz-date, x-amz-target),
for Host 127.0.0.1:P, and is followed by one NUL byte in FILE. X-Amz-Date is now: a server with
--auth accepts the pool for 5 minutes.
"""
import argparse
import json
import random

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--access-key", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--op", default="GetItem")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--kv", type=int, default=10000)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--seed", type=int)
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    signer = SigV4Auth(Credentials(a.access_key, a.secret), "dynamodb", a.region)
    host = f"127.0.0.1:{a.port}"
    with open(a.out, "wb") as f:
        for _ in range(a.n):
            body = json.dumps({"TableName": "bench_kv", "Key": {"pk": {"S": f"user#{rnd.randrange(a.kv)}"}}},
                              separators=(",", ":")).encode()
            req = AWSRequest(method="POST", url=f"http://{host}/", data=body,
                             headers={"Content-Type": "application/x-amz-json-1.0",
                                      "X-Amz-Target": f"DynamoDB_20120810.{a.op}"})
            signer.add_auth(req)
            head = [f"POST / HTTP/1.1", f"Host: {host}"]
            head += [f"{k}: {v}" for k, v in req.headers.items()]
            head.append(f"Content-Length: {len(body)}")
            f.write(("\r\n".join(head) + "\r\n\r\n").encode() + body + b"\0")


if __name__ == "__main__":
    main()
