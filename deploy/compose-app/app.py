"""deploy/compose-app/app.py: the example application of deploy/compose.yaml. It talks to ddbd
the way an application talks to DynamoDB, with only the endpoint overridden: creates a table if
needed, writes an item, reads it back, counts the visits kept in the volume, and exits 0."""
import os
import sys
import time

import boto3

endpoint = os.environ["DDB_ENDPOINT"]  # http://ddbd:8000 in compose.yaml
ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"))

tables = ddb.list_tables()["TableNames"]
if "visits" not in tables:
    ddb.create_table(TableName="visits", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.get_waiter("table_exists").wait(TableName="visits")
out = ddb.update_item(TableName="visits", Key={"pk": {"S": "counter"}},
                      UpdateExpression="ADD n :one SET last_visit = :now",
                      ExpressionAttributeValues={":one": {"N": "1"}, ":now": {"N": str(int(time.time()))}},
                      ReturnValues="ALL_NEW")
visits = int(out["Attributes"]["n"]["N"])
got = ddb.get_item(TableName="visits", Key={"pk": {"S": "counter"}}, ConsistentRead=True)["Item"]
assert int(got["n"]["N"]) == visits
print("app: visit %d recorded in ddbd at %s (tables: %s)" % (visits, endpoint, ", ".join(ddb.list_tables()["TableNames"])))
sys.exit(0)
