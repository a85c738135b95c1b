"""--seed with the infrastructure code teams already have (issue 54, section 3): CloudFormation and
SAM templates (YAML and JSON), CDK's cdk.out and `terraform show -json` make the same tables as the
equivalent CreateTable calls (and UpdateTimeToLive, UpdateContinuousBackups), compared through
boto3 by DescribeTable, DescribeTimeToLive, DescribeContinuousBackups and ListTagsOfResource against
a server given those calls. A property ddbd does not act on is named in a warning at start, or an
error that stops the start; a bad template stops it with its file and line.

The samples in seed_templates/ are written as the tools write them: `sam init`'s template shape,
`cdk synth`'s cdk.out (manifest.json, the stack's template, the asset manifest and the construct
tree), and `terraform show -json` of a plan (one line, planned_values with a child module).
"""
import json
import os
import subprocess

import pytest

from conftest import DDBD_BIN, make_client, raw_request

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "seed_templates")
ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/"

VOLATILE = ("TableId", "LatestStreamLabel", "LatestStreamArn")  # and every time (...DateTime)


def sample(*parts):
    return os.path.join(SAMPLES, *parts)


def run_ddbd(args, timeout=20):
    return subprocess.run([DDBD_BIN, "--in-memory", "--port", "0"] + args, capture_output=True, timeout=timeout,
                          text=True)


def stable(v):
    """A description without what differs between two servers making the same table (ids, times)."""
    if isinstance(v, dict):
        return {k: stable(x) for k, x in v.items() if k not in VOLATILE and not k.endswith("DateTime")}
    if isinstance(v, list):
        return [stable(x) for x in v]
    return v


def sort_lists(d):
    d = dict(d)
    for k in ("AttributeDefinitions",):
        if k in d:
            d[k] = sorted(d[k], key=lambda a: a["AttributeName"])
    for k in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if k in d:
            d[k] = sorted(d[k], key=lambda i: i["IndexName"])
    return d


def everything(ddb, name):
    """What a table is, through every Describe a user would call."""
    return {
        "table": sort_lists(stable(ddb.describe_table(TableName=name)["Table"])),
        "ttl": ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
        "pitr": stable(ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]),
        "tags": sorted((t["Key"], t["Value"]) for t in ddb.list_tags_of_resource(ResourceArn=ARN + name)["Tags"]),
        "items": sorted(json.dumps(i, sort_keys=True) for i in ddb.scan(TableName=name, ConsistentRead=True)["Items"]),
    }


def apply_calls(endpoint, calls):
    """The calls, as raw requests: Debian's boto3 (1.26) predates some members (DeletionProtectionEnabled).
    A replica is made in the background: the table is ACTIVE again before the next call, as the seed waits."""
    for op, params in calls:
        resp = raw_request(endpoint, op, params)
        assert resp.status == 200, (op, resp.body)
        if op == "UpdateTable":
            settled(make_client(endpoint), params["TableName"])


def keys(*parts):
    return [{"AttributeName": n, "KeyType": t} for n, t in zip(parts, ("HASH", "RANGE"))]


def attrs(**types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]


def ttl(name, attr):
    return ("UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": {"AttributeName": attr, "Enabled": True}})


def pitr(name):
    return ("UpdateContinuousBackups", {"TableName": name,
                                          "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})


def sam_calls(stage="dev", stack="orders-app"):
    orders = "%s-orders-%s" % (stack, stage)
    create = {"TableName": orders, "BillingMode": "PAY_PER_REQUEST",
              "AttributeDefinitions": attrs(customerId="S", orderId="S", status="S", createdAt="N"),
              "KeySchema": keys("customerId", "orderId"),
              "GlobalSecondaryIndexes": [{"IndexName": "byStatus", "KeySchema": keys("status", "createdAt"),
                                          "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}}],
              "LocalSecondaryIndexes": [{"IndexName": "byCreatedAt", "KeySchema": keys("customerId", "createdAt"),
                                         "Projection": {"ProjectionType": "KEYS_ONLY"}}],
              "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
              "DeletionProtectionEnabled": False, "TableClass": "STANDARD",
              "Tags": [{"Key": "app", "Value": "orders"}, {"Key": "stage", "Value": stage}]}
    if stage == "prod":
        create["BillingMode"] = "PROVISIONED"
        create["ProvisionedThroughput"] = {"ReadCapacityUnits": 7, "WriteCapacityUnits": 5}
        create["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] = {"ReadCapacityUnits": 7, "WriteCapacityUnits": 5}
    sessions = "sessions-" + stage
    return [orders, sessions], [
        ("CreateTable", create),
        ttl(orders, "ttl" if stage == "prod" else "expiresAt"),
        pitr(orders),
        ("CreateTable", {"TableName": sessions, "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs(sessionId="S"),
                          "KeySchema": keys("sessionId"), "SSESpecification": {"Enabled": True},
                          "Tags": [{"Key": "team", "Value": "web"}]}),
    ]


def global_table_calls():
    return ["profiles"], [
        ("CreateTable", {"TableName": "profiles", "BillingMode": "PROVISIONED",
                          "AttributeDefinitions": attrs(userId="S", email="S"), "KeySchema": keys("userId"),
                          "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
                          "GlobalSecondaryIndexes": [{"IndexName": "byEmail", "KeySchema": keys("email"),
                                                      "Projection": {"ProjectionType": "KEYS_ONLY"},
                                                      "ProvisionedThroughput": {"ReadCapacityUnits": 4,
                                                                                "WriteCapacityUnits": 3}}],
                          "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                          "TableClass": "STANDARD_INFREQUENT_ACCESS", "DeletionProtectionEnabled": True,
                          "Tags": [{"Key": "owner", "Value": "identity"}]}),
        ttl("profiles", "expires"),
        pitr("profiles"),
    ]


def cdk_calls():
    return ["Orders9C6AE9A0", "carts"], [
        ("CreateTable", {"TableName": "Orders9C6AE9A0", "BillingMode": "PAY_PER_REQUEST",
                          "AttributeDefinitions": attrs(pk="S", sk="S", gsi1pk="S"), "KeySchema": keys("pk", "sk"),
                          "GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": keys("gsi1pk"),
                                                      "Projection": {"ProjectionType": "ALL"}}],
                          "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                          "Tags": [{"Key": "service", "Value": "orders"}]}),
        pitr("Orders9C6AE9A0"),
        ttl("Orders9C6AE9A0", "ttl"),
        ("CreateTable", {"TableName": "carts", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs(cartId="S"),
                          "KeySchema": keys("cartId"), "Tags": [{"Key": "service", "Value": "orders"}]}),
        ttl("carts", "expiresAt"),
    ]


def terraform_calls():
    return ["tf-orders", "tf-locks"], [
        ("CreateTable", {"TableName": "tf-orders", "BillingMode": "PAY_PER_REQUEST",
                          "AttributeDefinitions": attrs(customer="S", order_id="S", placed_at="N", status="S"),
                          "KeySchema": keys("customer", "order_id"),
                          "GlobalSecondaryIndexes": [{"IndexName": "by_status", "KeySchema": keys("status", "placed_at"),
                                                      "Projection": {"ProjectionType": "INCLUDE",
                                                                     "NonKeyAttributes": ["total", "customer_name"]}}],
                          "LocalSecondaryIndexes": [{"IndexName": "by_placed_at", "KeySchema": keys("customer", "placed_at"),
                                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                          "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                          "TableClass": "STANDARD",
                          "Tags": [{"Key": "Name", "Value": "tf-orders"}, {"Key": "Environment", "Value": "test"},
                                   {"Key": "ManagedBy", "Value": "terraform"}]}),
        ttl("tf-orders", "expires_at"),
        pitr("tf-orders"),
        ("CreateTable", {"TableName": "tf-locks", "BillingMode": "PROVISIONED", "AttributeDefinitions": attrs(LockID="S"),
                          "KeySchema": keys("LockID"), "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
                          "SSESpecification": {"Enabled": True, "SSEType": "KMS",
                                               "KMSMasterKeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
                          "TableClass": "STANDARD_INFREQUENT_ACCESS",
                          "Tags": [{"Key": "Environment", "Value": "test"}, {"Key": "ManagedBy", "Value": "terraform"}]}),
        ("PutItem", {"TableName": "tf-locks", "Item": {"LockID": {"S": "seed"}}}),  # its aws_dynamodb_table_item
    ]


CASES = {
    "sam": ([sample("sam-app"), "--seed-param", "AWS::StackName=orders-app"], sam_calls()),
    "sam-prod": ([sample("sam-app", "template.yaml"), "--seed-param", "AWS::StackName=orders-app",
                  "--seed-param", "Stage=prod", "--seed-param", "ReadCapacity=7"], sam_calls("prod")),
    "cfn-global-table": ([sample("cfn-global-table.json")], global_table_calls()),
    "cdk": ([sample("cdk.out")], cdk_calls()),
    "terraform": ([sample("terraform", "plan.json")], terraform_calls()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_makes_the_tables_of_the_equivalent_calls(server_factory, case):
    seed, (names, calls) = CASES[case]
    seeded = server_factory(["--in-memory", "--seed"] + seed)
    by_hand = server_factory(["--in-memory"])
    got, want = make_client(seeded.endpoint), make_client(by_hand.endpoint)
    apply_calls(by_hand.endpoint, calls)
    assert sorted(got.list_tables()["TableNames"]) == sorted(names)
    for name in names:
        g, w = everything(got, name), everything(want, name)
        for part in g:
            assert g[part] == w[part], "%s %s:\n seeded  %s\n by hand %s" % (
                name, part, json.dumps(g[part], sort_keys=True, default=str), json.dumps(w[part], sort_keys=True, default=str))
    # what the comparison is worth: the templates' settings did take (not two equal defaults)
    first = everything(got, names[0])
    assert first["ttl"]["TimeToLiveStatus"] == "ENABLED"
    assert first["pitr"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert first["tags"]


def test_template_warnings_name_what_is_not_acted_on(server_factory):
    srv = server_factory(["--in-memory", "--seed", sample("cfn-global-table.json"), "--seed", sample("terraform", "plan.json")])
    log = srv.stderr_text()
    path = sample("cfn-global-table.json")
    for region in ("eu-west-1", "ap-southeast-2"):  # (its write capacity is auto scaled: made under --namespaces)
        assert ("warn seed: %s:8: table profiles: its replica in %s is not created: replicas need --namespaces "
                "(each region its own tables)" % (path, region)) in log
    assert ("Resources.Profiles (table profiles): WriteCapacityAutoScalingSettings is not acted on: ddbd does not "
            "scale capacity; it stays at MinCapacity") in log
    assert ("Resources.Profiles (table profiles): GlobalSecondaryIndexes[byEmail].WriteCapacityAutoScalingSettings is "
            "not acted on") in log
    assert ("warn seed: %s: aws_dynamodb_kinesis_streaming_destination.orders is not acted on: the seed acts on "
            "aws_dynamodb_table and aws_dynamodb_table_item only" % sample("terraform", "plan.json")) in log
    assert "aws_dynamodb_table_item.seed" not in log  # (its item is put: test_template_makes_the_tables...[terraform])
    assert "1 items written" in log


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


TABLE_YAML = """\
Resources:
  Things:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"""


def test_a_table_without_a_name_is_named_by_its_logical_id_and_a_false_condition_makes_none(server_factory, tmp_path):
    f = write(tmp_path, "t.yaml", "Conditions:\n  Never: !Equals [a, b]\n" + TABLE_YAML + """\
  Skipped:
    Type: AWS::DynamoDB::Table
    Condition: Never
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
""")
    srv = server_factory(["--in-memory", "--seed", f])
    assert make_client(srv.endpoint).list_tables()["TableNames"] == ["Things"]
    assert "%s:10: Resources.Skipped is not created: its condition Never is false" % f in srv.stderr_text()


def test_kinesis_stream_specification_is_a_warning(server_factory, tmp_path):
    f = write(tmp_path, "t.yaml", TABLE_YAML + "      KinesisStreamSpecification: {StreamArn: arn:aws:kinesis:us-east-1:1:stream/s}\n")
    srv = server_factory(["--in-memory", "--seed", f])
    assert ("warn seed: %s:2: Resources.Things (table Things): KinesisStreamSpecification is not acted on: no Kinesis "
            "data stream receives the table's changes" % f) in srv.stderr_text()
    assert make_client(srv.endpoint).list_tables()["TableNames"] == ["Things"]


def refused(args):
    proc = run_ddbd(args)
    assert proc.returncode == 1, proc.stderr
    assert "seed: nothing was loaded" in proc.stderr
    assert "listening" not in proc.stderr
    return proc.stderr


def test_import_source_specification_is_an_error(tmp_path):
    f = write(tmp_path, "t.yaml", TABLE_YAML + "      ImportSourceSpecification: {InputFormat: CSV, S3BucketSource: {S3Bucket: b}}\n")
    err = refused(["--seed", f])
    assert ("error seed: %s:2: Resources.Things: ImportSourceSpecification: the table would be created empty: ddbd "
            "does not import from S3 at start; seed its items as .jsonl files beside the template "
            "(docs/seeding.md)" % f) in err


def test_an_unknown_property_is_an_error(tmp_path):
    f = write(tmp_path, "t.yaml", TABLE_YAML + "      BillingMod: PROVISIONED\n")
    err = refused(["--seed", f])
    assert ("error seed: %s:2: Resources.Things: Properties.BillingMod is not a property of AWS::DynamoDB::Table "
            "that ddbd knows" % f) in err


@pytest.mark.parametrize("text,line,message", [
    ("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: [a, b\n", 5,
     "not valid YAML: did not find expected ',' or ']' while parsing a flow sequence"),
    ("Resources:\n  T: !Bogus x\n", 2, "the tag !Bogus is not one of CloudFormation's"),
    ("AWSTemplateFormatVersion: '2010-09-09'\n---\nResources: {}\n", 2, "more than one YAML document: a template is one"),
    ("Outputs: {}\n", 0, "a YAML seed is a CloudFormation or SAM template: no Resources in it"),
])
def test_a_bad_yaml_template_stops_the_start_with_its_line(tmp_path, text, line, message):
    f = write(tmp_path, "bad.yaml", text)
    err = refused(["--seed", f])
    where = "%s:%d" % (f, line) if line else f
    assert "error seed: %s: %s" % (where, message) in err, err


@pytest.mark.parametrize("extra,message", [
    ("      TableName: !GetAtt Other.Arn\n", "Resources.Things: Fn::GetAtt Other.Arn is known only after a deployment"),
    ("      TableName: !Ref Missing\n", "Resources.Things: Ref Missing: neither a parameter nor a resource of the template"),
    ("      TableName: !ImportValue shared-name\n",
     "Resources.Things: Fn::ImportValue is not resolved by ddbd's seed (docs/seeding.md, Templates)"),
    ("      TableName: !Ref NoDefault\n",
     "Resources.Things: parameter NoDefault has no Default: give its value with --seed-param NoDefault=VALUE"),
    ("      TableName: !Ref FromSsm\n", "Resources.Things: parameter FromSsm is read from SSM Parameter Store at "
     "deployment: give its value with --seed-param FromSsm=VALUE"),
])
def test_what_only_a_deployment_knows_is_an_error(tmp_path, extra, message):
    params = ("Parameters:\n  NoDefault: {Type: String}\n"
              "  FromSsm: {Type: 'AWS::SSM::Parameter::Value<String>'}\n")
    f = write(tmp_path, "t.yaml", params + TABLE_YAML + extra)
    err = refused(["--seed", f])
    assert "error seed: %s:5: %s" % (f, message) in err, err


def test_seed_params(tmp_path, server_factory):
    f = write(tmp_path, "t.yaml", "Parameters:\n  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}\n"
              + TABLE_YAML + "      TableName: !Sub 'things-${Env}-${AWS::Region}'\n")
    err = refused(["--seed", f, "--seed-param", "Env=qa"])
    assert "error seed: %s:4: Resources.Things: parameter Env: 'qa' is not one of its AllowedValues" % f in err
    proc = run_ddbd(["--seed", f, "--seed-param", "Env"])
    assert proc.returncode == 1 and "listening" not in proc.stderr
    assert "error seed: --seed-param Env: expected NAME=VALUE" in proc.stderr
    srv = server_factory(["--in-memory", "--seed", f, "--seed-param", "Env=prod", "--seed-param", "Colour=blue"])
    assert make_client(srv.endpoint).list_tables()["TableNames"] == ["things-prod-us-east-1"]
    assert "warn seed: --seed-param Colour: no template of the seed declares a parameter of that name" in srv.stderr_text()


def test_terraform_name_unknown_until_apply_is_an_error(tmp_path):
    f = write(tmp_path, "plan.json", '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":'
              '"aws_dynamodb_table.t","mode":"managed","type":"aws_dynamodb_table","name":"t","values":'
              '{"hash_key":"id","attribute":[{"name":"id","type":"S"}]}}]}}}')
    err = refused(["--seed", f])
    assert ("error seed: %s:1: aws_dynamodb_table.t: its name is not in the values (known only after apply?): a "
            "plan's values must hold it" % f) in err


def test_a_cdk_manifest_naming_a_missing_template_is_an_error(tmp_path):
    d = tmp_path / "cdk.out"
    d.mkdir()
    (d / "manifest.json").write_text('{"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", '
                                     '"properties": {"templateFile": "S.template.json"}}}}')
    err = refused(["--seed", str(d)])
    assert ("error seed: %s/S.template.json: named by %s/manifest.json: cannot read it (No such file or directory)"
            % (d, d)) in err


def test_a_template_beside_items_seeds_both(server_factory, tmp_path):
    write(tmp_path, "a-tables.yaml", TABLE_YAML)
    write(tmp_path, "Things.jsonl", '{"id": {"S": "x"}}\n')
    srv = server_factory(["--in-memory", "--seed", str(tmp_path)])
    ddb = make_client(srv.endpoint)
    assert ddb.scan(TableName="Things")["Items"] == [{"id": {"S": "x"}}]


def test_seed_requests_prints_what_the_seed_would_send(tmp_path):
    """ddbd --seed-requests: the fixtures' way to seed a namespace of their own (docs/testing.md)."""
    write(tmp_path, "Things.jsonl", '{"id": {"S": "x"}}\n')
    f = write(tmp_path, "t.yaml", TABLE_YAML + "      TimeToLiveSpecification: {AttributeName: exp, Enabled: true}\n")
    proc = subprocess.run([DDBD_BIN, "--seed-requests", f, "--seed-requests", str(tmp_path / "Things.jsonl")],
                          capture_output=True, text=True, timeout=20)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line) for line in proc.stdout.splitlines()] == [
        {"op": "CreateTable", "request": {"TableName": "Things", "BillingMode": "PAY_PER_REQUEST",
                                          "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                                          "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
        {"op": "UpdateTimeToLive", "request": {"TableName": "Things",
                                               "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": True}}},
        {"op": "PutItem", "request": {"TableName": "Things", "Item": {"id": {"S": "x"}}}},
    ]
    bad = write(tmp_path, "bad.yaml", "Resources: [")
    proc = subprocess.run([DDBD_BIN, "--seed-requests", bad], capture_output=True, text=True, timeout=20)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "error seed: %s:2: not valid YAML" % bad in proc.stderr


def test_a_cdk_stack_with_a_region_resolves_aws_region_to_it(server_factory, tmp_path):
    # `cdk synth` of a stack with env: {region: 'eu-west-1'} writes the region into the template
    # (TableV2's replica) and into the manifest's environment: the seed takes it from there
    d = tmp_path / "cdk.out"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {"Eu": {
        "type": "aws:cloudformation:stack", "environment": "aws://111122223333/eu-west-1",
        "properties": {"templateFile": "Eu.template.json"}}}}))
    (d / "Eu.template.json").write_text(json.dumps({"Resources": {"T": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": {
        "TableName": {"Fn::Sub": "t-${AWS::Region}"}, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "Replicas": [{"Region": "eu-west-1"}]}}}}))
    srv = server_factory(["--in-memory", "--seed", str(d)])
    assert make_client(srv.endpoint).list_tables()["TableNames"] == ["t-eu-west-1"]
    # without the environment's region, the replica is in no region of the seed's: an error naming the way out
    (d / "manifest.json").write_text((d / "manifest.json").read_text().replace("111122223333/eu-west-1",
                                                                               "unknown-account/unknown-region"))
    err = refused(["--seed", str(d)])
    assert ("Resources.T: Replicas: none in the seed's region us-east-1 (--seed-param AWS::Region=REGION seeds "
            "another)") in err
    srv = server_factory(["--in-memory", "--seed", str(d), "--seed-param", "AWS::Region=eu-west-1"])
    assert make_client(srv.endpoint).list_tables()["TableNames"] == ["t-eu-west-1"]


GLOBAL_YAML = """\
Resources:
  Carts:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      TableName: carts
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
      Replicas:
        - Region: !Ref AWS::Region
        - Region: eu-west-1
        - Region: ap-southeast-2
          TableClass: STANDARD_INFREQUENT_ACCESS
"""


def settled(ddb, name, deadline=20.0):
    """The description once every replica is ACTIVE (a new replica is filled, then ACTIVE)."""
    import time
    end = time.monotonic() + deadline
    while True:
        d = ddb.describe_table(TableName=name)["Table"]
        if (d["TableStatus"] == "ACTIVE" and all(r.get("ReplicaStatus") == "ACTIVE" for r in d.get("Replicas", []))
                or time.monotonic() > end):
            return sort_lists(stable(d))
        time.sleep(0.05)


def test_an_on_demand_global_table_has_its_replicas_under_namespaces(server_factory, tmp_path):
    f = write(tmp_path, "global.yaml", GLOBAL_YAML)
    seeded = server_factory(["--in-memory", "--namespaces", "--seed", f])
    by_hand = server_factory(["--in-memory", "--namespaces"])
    apply_calls(by_hand.endpoint, [
        ("CreateTable", {"TableName": "carts", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs(id="S"),
                         "KeySchema": keys("id"),
                         "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}}),
        ttl("carts", "expires"),
        ("UpdateTable", {"TableName": "carts", "ReplicaUpdates": [{"Create": {"RegionName": "eu-west-1"}}]}),
        ("UpdateTable", {"TableName": "carts", "ReplicaUpdates": [{"Create": {"RegionName": "ap-southeast-2"}}]}),
    ])
    got, want = settled(make_client(seeded.endpoint), "carts"), settled(make_client(by_hand.endpoint), "carts")
    for ep in (seeded.endpoint, by_hand.endpoint):
        assert make_client(ep).describe_time_to_live(TableName="carts")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    assert sorted(r["RegionName"] for r in got["Replicas"]) == ["ap-southeast-2", "eu-west-1"]
    assert got == want
    assert ("Resources.Carts (table carts): the replicas in ap-southeast-2 are made with the table's settings: their "
            "own (capacity, table class, tags, ...) are not acted on") in seeded.stderr_text()
    # without --namespaces every region shares one table: the replicas are named, not made
    srv = server_factory(["--in-memory", "--seed", f])
    assert "Replicas" not in make_client(srv.endpoint).describe_table(TableName="carts")["Table"]
    assert ("warn seed: %s:2: table carts: its replica in eu-west-1 is not created: replicas need --namespaces "
            "(each region its own tables)" % f) in srv.stderr_text()


def test_terraform_replica_blocks(server_factory, tmp_path):
    def state(billing):
        values = {"name": "tf-global", "hash_key": "id", "attribute": [{"name": "id", "type": "S"}],
                  "billing_mode": billing, "read_capacity": 5 if billing == "PROVISIONED" else 0,
                  "write_capacity": 5 if billing == "PROVISIONED" else 0, "stream_enabled": True,
                  "stream_view_type": "NEW_AND_OLD_IMAGES",
                  "replica": [{"region_name": "eu-west-1", "kms_key_arn": "", "point_in_time_recovery": False,
                               "propagate_tags": False, "arn": "x", "stream_arn": "y", "stream_label": "z"}]}
        return json.dumps({"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": {
            "resources": [{"address": "aws_dynamodb_table.g", "mode": "managed", "type": "aws_dynamodb_table",
                           "name": "g", "values": values}]}}})
    f = write(tmp_path, "state.json", state("PAY_PER_REQUEST"))
    srv = server_factory(["--in-memory", "--namespaces", "--seed", f])
    d = settled(make_client(srv.endpoint), "tf-global")
    assert [r["RegionName"] for r in d["Replicas"]] == ["eu-west-1"]
    assert "not acted on" not in srv.stderr_text()  # (its empty settings are no settings)
    f = write(tmp_path, "state.json", state("PROVISIONED"))
    srv = server_factory(["--in-memory", "--namespaces", "--seed", f])
    assert "Replicas" not in make_client(srv.endpoint).describe_table(TableName="tf-global")["Table"]
    assert ("aws_dynamodb_table.g (table tf-global): the replica in eu-west-1 is not created: replicas of a "
            "provisioned table need its write capacity auto scaled") in srv.stderr_text()


def test_a_member_the_api_ignores_is_named(server_factory, tmp_path):
    # DynamoDB ignores a member its model lacks; a seed names it instead (a misspelt SSEEnabled would
    # otherwise leave the table unencrypted unseen), for templates and CreateTable seeds alike
    f = write(tmp_path, "t.yaml", TABLE_YAML.replace("[{AttributeName: id, AttributeType: S}]",
                                                     "[{AttributeName: id, AttributeType: S, Extra: 1}]")
              + "      SSESpecification: {SSEEnabld: true}\n"
              + "      TimeToLiveSpecification: {AttributeName: e, Enabled: true, Bogus: x}\n")
    j = write(tmp_path, "more.json", json.dumps({"TableName": "more", "BillingMode": "PAY_PER_REQUEST",
                                                 "AttributeDefinitions": attrs(id="S"), "KeySchema": keys("id"),
                                                 "SSESpecification": {"Enabled": True, "SSETyp": "KMS"}}))
    srv = server_factory(["--in-memory", "--seed", f, "--seed", j])
    log = srv.stderr_text()
    for member, op, where in [("SSESpecification.SSEEnabld", "CreateTable", f + ":2: table Things"),
                              ("AttributeDefinitions[0].Extra", "CreateTable", f + ":2: table Things"),
                              ("TimeToLiveSpecification.Bogus", "UpdateTimeToLive", f + ":2: table Things"),
                              ("SSESpecification.SSETyp", "CreateTable", j + ":1: table more")]:
        assert "warn seed: %s: %s is not a member of %s: not acted on" % (where, member, op) in log, log
    assert sorted(make_client(srv.endpoint).list_tables()["TableNames"]) == ["Things", "more"]
