"""bench/libddb_compare_boto3.py ENDPOINT TABLE get|put [THREADS=16] [SECONDS=5]

GetItem or PutItem through boto3 from THREADS threads sharing one client (boto3 clients are
thread-safe), against the table libddb_bench uses; prints the same line as libddb_bench.
"""
import resource
import sys
import threading
import time

import boto3
from botocore.config import Config

endpoint, table, op = sys.argv[1], sys.argv[2], sys.argv[3]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 16
seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 5
client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                      aws_secret_access_key="bench",
                      config=Config(max_pool_connections=threads, retries={"max_attempts": 1}))
stop = False
counts = [0] * threads


def worker(n):
    i = n * 7919
    while not stop:
        key = {"pk": {"S": "key%d" % (i % 1000)}}
        if op == "put":
            client.put_item(TableName=table, Item=dict(key, v={"N": str(i)}))
        else:
            client.get_item(TableName=table, Key=key)["Item"]
        i += 1
        counts[n] += 1


for _ in range(50):  # warm-up: connections, botocore's model loading
    client.get_item(TableName=table, Key={"pk": {"S": "key1"}})
r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
for t in ts:
    t.start()
time.sleep(seconds)
stop = True
for t in ts:
    t.join()
r1, wall, total = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - t0, sum(counts)
user, sys_ = r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime
print("boto3 %s threads=%d requests=%d errors=0 req/s=%.0f cpu_us_per_req user=%.2f sys=%.2f total=%.2f" %
      (op, threads, total, total / wall, user * 1e6 / total, sys_ * 1e6 / total, (user + sys_) * 1e6 / total))
