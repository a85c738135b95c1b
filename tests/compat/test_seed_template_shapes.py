"""--seed with templates in the shapes the tools write that ddbd refused or dropped (issue 62, item
4): a table streaming to Kinesis with resource policies naming a role (Fn::GetAtt), Fn::ForEach
(AWS::LanguageExtensions), a CDK nested stack and its child template, a Terraform AWS provider 6
plan (a GSI's key_schema blocks), a global table in two named Regions, a provisioned global table
with auto scaling. Each sample in seed_templates/ makes exactly the tables it declares, compared by
the Describe calls against a server given the equivalent calls (test_seed_templates.everything).
"""
import json

import pytest

from conftest import make_client, raw_request
from test_seed_templates import (apply_calls, attrs, everything, keys, pitr, refused, sample, settled, ttl,
                                 write)


def same_tables(got_ep, want_ep, names):
    got, want = make_client(got_ep), make_client(want_ep)
    assert sorted(got.list_tables()["TableNames"]) == sorted(names)
    for name in names:
        g, w = everything(got, name), everything(want, name)
        for part in g:
            assert g[part] == w[part], "%s %s:\n seeded  %s\n by hand %s" % (
                name, part, json.dumps(g[part], sort_keys=True, default=str),
                json.dumps(w[part], sort_keys=True, default=str))


def test_kinesis_destination_and_policies_naming_a_role(server_factory):
    """StreamArn: !GetAtt Stream.Arn is not acted on (warned, never resolved); a resource policy whose
    principal is !GetAtt Role.Arn is not attached, with a warning; the table is made (main refused
    the start: "Fn::GetAtt ChangesStream.Arn is known only after a deployment")."""
    f = sample("cfn-kinesis.yaml")
    seeded = server_factory(["--in-memory", "--seed", f])
    by_hand = server_factory(["--in-memory"])
    apply_calls(by_hand.endpoint, [
        ("CreateTable", {"TableName": "cfn-kinesis-orders", "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": attrs(pk="S", sk="S"), "KeySchema": keys("pk", "sk"),
                         "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                         "Tags": [{"Key": "app", "Value": "orders"}]}),
        pitr("cfn-kinesis-orders"),
    ])
    same_tables(seeded.endpoint, by_hand.endpoint, ["cfn-kinesis-orders"])
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/cfn-kinesis-orders"
    resp = raw_request(seeded.endpoint, "GetResourcePolicy", {"ResourceArn": arn})
    assert resp.status == 400 and b"PolicyNotFoundException" in resp.body, resp.body
    log = seeded.stderr_text()
    where = "warn seed: %s:20: Resources.Orders (table cfn-kinesis-orders): " % f
    assert where + "KinesisStreamSpecification is not acted on: no Kinesis data stream receives the table's changes" in log
    assert (where + "ResourcePolicy is not acted on: Fn::GetAtt ReaderRole.Arn is known only after a deployment: the "
            "table is made without it (PutResourcePolicy once that value is known)") in log
    assert where + "StreamSpecification.ResourcePolicy is not acted on" in log


def test_what_the_table_is_made_of_must_still_be_known(tmp_path):
    """Only what ddbd does not act on may be unknown: a tag's value of Fn::GetAtt stops the start, naming
    the property."""
    text = open(sample("cfn-kinesis.yaml")).read().replace("- {Key: app, Value: orders}",
                                                            "- {Key: stream, Value: !GetAtt ChangesStream.Arn}")
    f = write(tmp_path, "t.yaml", text)
    err = refused(["--seed", f])
    assert ("error seed: %s:20: Resources.Orders: Tags: Fn::GetAtt ChangesStream.Arn is known only after a "
            "deployment" % f) in err, err


def test_terraform_provider_6_key_schema_blocks(server_factory):
    """Provider 6 writes a GSI's keys as key_schema blocks (hash_key and range_key null or absent): main
    stopped the start with an empty attribute name."""
    seeded = server_factory(["--in-memory", "--seed", sample("terraform", "plan-provider6.json")])
    by_hand = server_factory(["--in-memory"])
    apply_calls(by_hand.endpoint, [
        ("CreateTable", {"TableName": "tf6-orders", "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": attrs(order_id="S", status="S", placed_at="N", customer="S"),
                         "KeySchema": keys("order_id"), "TableClass": "STANDARD",
                         "GlobalSecondaryIndexes": [
                             {"IndexName": "by_status", "KeySchema": keys("status", "placed_at"),
                              "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}},
                             {"IndexName": "by_customer", "KeySchema": keys("customer"),
                              "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                         "Tags": [{"Key": "Name", "Value": "tf6-orders"}, {"Key": "ManagedBy", "Value": "terraform"}]}),
        ttl("tf6-orders", "expires_at"),
    ])
    same_tables(seeded.endpoint, by_hand.endpoint, ["tf6-orders"])
    idx = {i["IndexName"]: i["KeySchema"] for i in
           make_client(seeded.endpoint).describe_table(TableName="tf6-orders")["Table"]["GlobalSecondaryIndexes"]}
    assert idx["by_status"] == keys("status", "placed_at")  # (the partition key first, whatever the blocks' order)


PARAM_YAML = """\
Parameters:
  Env: {Type: String, Default: dev}
  AlarmEmail: {Type: String, Default: ops@example.com}
Resources:
  Things:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub 'things-${Env}'
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"""


def test_a_declared_parameter_no_table_uses_is_accepted(server_factory, tmp_path):
    f = write(tmp_path, "t.yaml", PARAM_YAML)
    srv = server_factory(["--in-memory", "--seed", f, "--seed-param", "AlarmEmail=me@example.com",
                          "--seed-param", "Env=qa", "--seed-param", "Colour=blue"])
    assert make_client(srv.endpoint).list_tables()["TableNames"] == ["things-qa"]
    log = srv.stderr_text()
    assert "AlarmEmail" not in log, log
    assert "warn seed: --seed-param Colour: no template of the seed declares a parameter of that name" in log


def foreach_calls(tenants=("acme", "globex-corp"), stage="dev"):
    calls, names = [], []
    for t in tenants:
        names.append("%s-%s-data" % (t, stage))
        calls.append(("CreateTable", {"TableName": names[-1], "BillingMode": "PAY_PER_REQUEST",
                                      "AttributeDefinitions": attrs(pk="S"), "KeySchema": keys("pk"),
                                      "Tags": [{"Key": "tenant", "Value": t}]}))
        for kind in ("clicks", "views"):
            names.append("%s-%s-%s" % (t, stage, kind))
            calls.append(("CreateTable", {"TableName": names[-1], "BillingMode": "PAY_PER_REQUEST",
                                          "AttributeDefinitions": attrs(pk="S", at="N"), "KeySchema": keys("pk", "at")}))
            calls.append(ttl(names[-1], "expires"))
    names.append("audit-" + stage)
    calls.append(("CreateTable", {"TableName": names[-1], "BillingMode": "PAY_PER_REQUEST",
                                  "AttributeDefinitions": attrs(id="S"), "KeySchema": keys("id")}))
    return names, calls


@pytest.mark.parametrize("params,tenants", [([], ("acme", "globex-corp")),
                                            (["--seed-param", "Tenants=a.b,c"], ("a.b", "c"))])
def test_fn_foreach_makes_a_table_for_each_value(server_factory, params, tenants):
    """Fn::ForEach (AWS::LanguageExtensions), a loop in a loop, its collection a CommaDelimitedList
    parameter: main made no table ("a template with no table in it")."""
    seeded = server_factory(["--in-memory", "--seed", sample("cfn-foreach.yaml")] + params)
    by_hand = server_factory(["--in-memory"])
    names, calls = foreach_calls(tenants)
    apply_calls(by_hand.endpoint, calls)
    same_tables(seeded.endpoint, by_hand.endpoint, names)
    assert "no table in it" not in seeded.stderr_text()


def nested(depth):
    """Loops `depth` deep, each over two values: 2**depth tables (T${X1}${X2}...)."""
    inner = {"T" + "".join("${X%d}" % d for d in range(1, depth + 1)): {
        "Type": "AWS::DynamoDB::Table", "Properties": {
            "TableName": {"Fn::Sub": "t" + "".join("-${X%d}" % d for d in range(1, depth + 1))},
            "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs(id="S"), "KeySchema": keys("id")}}}
    for d in range(depth, 0, -1):
        inner = {"Fn::ForEach::L%d" % d: ["X%d" % d, ["a", "b"], inner]}
    return json.dumps({"Transform": "AWS::LanguageExtensions", "Resources": inner})


def test_fn_foreach_is_bounded_as_cloudformation_bounds_it(server_factory, tmp_path):
    # five loops deep is CloudFormation's limit: 32 tables
    srv = server_factory(["--in-memory", "--seed", write(tmp_path, "five.json", nested(5))])
    assert len(make_client(srv.endpoint).list_tables()["TableNames"]) == 32
    f = write(tmp_path, "six.json", nested(6))
    assert "error seed: %s:1: Resources: Fn::ForEach::L6: Fn::ForEach loops nest more than 5 deep" % f in refused(
        ["--seed", f])
    # the expanded template is held to the 500 resources of any template's
    many = json.dumps({"Transform": "AWS::LanguageExtensions", "Resources": {"Fn::ForEach::Many": [
        "N", [str(i) for i in range(501)], {"T${N}": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs(id="S"), "KeySchema": keys("id")}}}]}})
    f = write(tmp_path, "many.json", many)
    assert ("error seed: %s:1: Resources: Fn::ForEach: more than the 500 resources a CloudFormation template may "
            "declare" % f) in refused(["--seed", f])
    f = write(tmp_path, "twice.json", json.dumps({"Resources": {"Fn::ForEach::L": ["N", ["a", "a"], {"T${N}": {
        "Type": "AWS::DynamoDB::Table", "Properties": {}}}]}}))
    assert "Resources: Fn::ForEach: resource Ta is declared twice" in refused(["--seed", f])


def described(ddb, name):
    d = settled(ddb, name)
    d.pop("TableArn", None)  # (of its own region)
    for i in d.get("GlobalSecondaryIndexes", []):
        i.pop("IndexArn", None)
    return d


def test_a_global_table_lands_in_the_templates_regions(server_factory):
    """--namespaces and AWS::Region=eu-west-1: the table in eu-west-1, its replica in eu-west-2, as
    the template declares (main made it in us-east-1, the default namespace, and the replica in eu-west-2)."""
    seeded = server_factory(["--in-memory", "--namespaces", "--seed", sample("cfn-global-two-regions.yaml"),
                             "--seed-param", "AWS::Region=eu-west-1"])
    by_hand = server_factory(["--in-memory", "--namespaces"])
    hand = make_client(by_hand.endpoint, region="eu-west-1")
    hand.create_table(TableName="sessions", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=attrs(sessionId="S", userId="S"),
                      KeySchema=keys("sessionId"),
                      GlobalSecondaryIndexes=[{"IndexName": "byUser", "KeySchema": keys("userId"),
                                               "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                      StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                      Tags=[{"Key": "team", "Value": "identity"}])
    hand.update_continuous_backups(TableName="sessions",
                                   PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    hand.update_time_to_live(TableName="sessions", TimeToLiveSpecification={"AttributeName": "expiresAt", "Enabled": True})
    hand.update_table(TableName="sessions", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-2"}}])
    for region, replicas in (("eu-west-1", ["eu-west-2"]), ("eu-west-2", ["eu-west-1"])):
        got, want = described(make_client(seeded.endpoint, region=region), "sessions"), described(make_client(by_hand.endpoint, region=region), "sessions")
        assert [r["RegionName"] for r in got["Replicas"]] == replicas
        assert got == want, region
    for region in ("eu-west-1", "eu-west-2"):
        got, want = make_client(seeded.endpoint, region=region), make_client(by_hand.endpoint, region=region)
        assert (got.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"]
                == want.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"])
        assert (stable_backups(got) == stable_backups(want))
    east = make_client(seeded.endpoint, region="eu-west-1")
    assert east.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    assert stable_backups(east)["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert make_client(seeded.endpoint).list_tables()["TableNames"] == []  # (us-east-1: nothing)


def stable_backups(ddb):
    d = ddb.describe_continuous_backups(TableName="sessions")["ContinuousBackupsDescription"]
    d.get("PointInTimeRecoveryDescription", {}).pop("EarliestRestorableDateTime", None)
    d.get("PointInTimeRecoveryDescription", {}).pop("LatestRestorableDateTime", None)
    return d


def test_a_template_table_and_its_items_are_in_the_seeds_region(server_factory, tmp_path):
    write(tmp_path, "a.yaml", "Resources:\n  Things:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
          "      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
          "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n")
    write(tmp_path, "Things.jsonl", '{"id": {"S": "x"}}\n')
    srv = server_factory(["--in-memory", "--namespaces", "--seed", str(tmp_path), "--seed-param",
                          "AWS::Region=ap-southeast-2"])
    ddb = make_client(srv.endpoint, region="ap-southeast-2")
    assert ddb.scan(TableName="Things")["Items"] == [{"id": {"S": "x"}}]
    assert make_client(srv.endpoint).list_tables()["TableNames"] == []


def test_a_provisioned_global_table_gets_its_replicas(server_factory, tmp_path):
    """BillingMode PROVISIONED with its write capacity auto scaled (CloudFormation requires it): the
    replicas are made, provisioned, the auto scaling settings read as the capacity (SeedCapacity, else
    MinCapacity). main named the replicas in a warning and made none."""
    seeded = server_factory(["--in-memory", "--namespaces", "--seed", sample("cfn-global-provisioned.json")])
    by_hand = server_factory(["--in-memory", "--namespaces"])
    make_client(by_hand.endpoint).create_table(
        TableName="ledger", BillingMode="PROVISIONED", AttributeDefinitions=attrs(account="S", entry="S", day="S"),
        KeySchema=keys("account", "entry"), ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 8},
        GlobalSecondaryIndexes=[{"IndexName": "byDay", "KeySchema": keys("day"), "Projection": {"ProjectionType": "ALL"},
                                 "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    want = described(make_client(by_hand.endpoint), "ledger")
    for region, other in (("us-east-1", "eu-west-1"), ("eu-west-1", "us-east-1")):
        got = described(make_client(seeded.endpoint, region=region), "ledger")
        assert [r["RegionName"] for r in got.pop("Replicas")] == [other]
        assert got.pop("GlobalTableVersion") == "2019.11.21"
        for d in (got, want):
            d["ProvisionedThroughput"].pop("LastIncreaseDateTime", None)
        assert got == want, region
    assert want["ProvisionedThroughput"]["ReadCapacityUnits"] == 6  # (SeedCapacity)
    assert want["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"] == 3  # (MinCapacity)
    log = seeded.stderr_text()
    assert "not created" not in log, log
    assert ("Resources.Ledger (table ledger): WriteCapacityAutoScalingSettings is not acted on: ddbd does not scale "
            "capacity; it stays at SeedCapacity") in log
    # a provisioned table whose write capacity is not auto scaled is no global table CloudFormation makes
    # (nor DynamoDB): its replicas are named, not made
    text = json.load(open(sample("cfn-global-provisioned.json")))
    props = text["Resources"]["Ledger"]["Properties"]
    props["WriteProvisionedThroughputSettings"] = {"WriteCapacityUnits": 8}
    f = write(tmp_path, "fixed.json", json.dumps(text))
    srv = server_factory(["--in-memory", "--namespaces", "--seed", f])
    assert "Replicas" not in make_client(srv.endpoint).describe_table(TableName="ledger")["Table"]
    assert ("Resources.Ledger (table ledger): the replicas in eu-west-1 are not created: replicas of a provisioned "
            "table need its write capacity auto scaled (WriteProvisionedThroughputSettings."
            "WriteCapacityAutoScalingSettings, which CloudFormation requires)") in srv.stderr_text()


def test_a_cdk_nested_stack_is_followed_into_its_template(server_factory):
    """CDK's NestedStack: an AWS::CloudFormation::Stack whose TemplateURL is an S3 asset; cdk.out has the
    file (Metadata aws:asset:path). Its tables are made, with the parameters the parent passes (a Ref of
    the parent's table: its name). main dropped them without a word."""
    seeded = server_factory(["--in-memory", "--seed", sample("cdk-nested.out")])
    by_hand = server_factory(["--in-memory"])
    apply_calls(by_hand.endpoint, [
        ("CreateTable", {"TableName": "shop-config", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs(key="S"),
                         "KeySchema": keys("key")}),
        ("CreateTable", {"TableName": "shop-config-orders", "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": attrs(pk="S", sk="S", status="S"), "KeySchema": keys("pk", "sk"),
                         "GlobalSecondaryIndexes": [{"IndexName": "byStatus", "KeySchema": keys("status"),
                                                     "Projection": {"ProjectionType": "ALL"}}],
                         "Tags": [{"Key": "service", "Value": "orders"}]}),
        pitr("shop-config-orders"),
        ("CreateTable", {"TableName": "AuditLog8D1C0B7E", "AttributeDefinitions": attrs(id="S"), "KeySchema": keys("id"),
                         "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}),
        ttl("AuditLog8D1C0B7E", "expires"),
    ])
    same_tables(seeded.endpoint, by_hand.endpoint, ["shop-config", "shop-config-orders", "AuditLog8D1C0B7E"])


SAM_PARENT = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Billing:
    Type: AWS::Serverless::Application
    Properties:
      Location: billing/template.yaml
      Parameters:
        Stage: !Ref Stage
        TopicArn: !GetAtt Topic.TopicArn
  Topic:
    Type: AWS::SNS::Topic
  Auth:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/auth
        SemanticVersion: 1.2.0
  Legacy:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/my-bucket/legacy.yaml
"""

SAM_CHILD = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String}
  TopicArn: {Type: String}
Resources:
  Invoices:
    Type: AWS::Serverless::SimpleTable
    Properties:
      TableName: !Sub 'invoices-${Stage}'
      PrimaryKey: {Name: invoiceId, Type: String}
"""


def test_a_sam_application_with_a_local_location_is_followed(server_factory, tmp_path):
    (tmp_path / "billing").mkdir()
    write(tmp_path, "billing/template.yaml", SAM_CHILD)
    f = write(tmp_path, "template.yaml", SAM_PARENT)
    srv = server_factory(["--in-memory", "--seed", f, "--seed-param", "Stage=qa"])
    ddb = make_client(srv.endpoint)
    assert ddb.list_tables()["TableNames"] == ["invoices-qa"]
    assert ddb.describe_table(TableName="invoices-qa")["Table"]["KeySchema"] == keys("invoiceId")
    log = srv.stderr_text()
    assert ("warn seed: %s:14: Resources.Auth: a nested stack (AWS::Serverless::Application) whose tables are not "
            "created: its Location is an application of the Serverless Application Repository "
            "(arn:aws:serverlessrepo:us-east-1:123456789012:applications/auth)" % f) in log
    assert ("warn seed: %s:20: Resources.Legacy: a nested stack (AWS::CloudFormation::Stack) whose tables are not "
            "created: its TemplateURL https://s3.amazonaws.com/my-bucket/legacy.yaml is not a local file" % f) in log
    assert "no table in it" not in log


def test_a_nested_stacks_errors_and_bounds(tmp_path):
    # a value only a deployment knows, passed to the child and made a table of: an error naming it
    (tmp_path / "billing").mkdir()
    child = write(tmp_path, "billing/template.yaml", SAM_CHILD.replace("invoices-${Stage}", "invoices-${TopicArn}"))
    f = write(tmp_path, "template.yaml", SAM_PARENT)
    err = refused(["--seed", f])
    assert ("error seed: %s:6: Resources.Invoices: parameter TopicArn: its parent stack passes "
            "a value known only after a deployment" % child) in err, err
    # a missing child, a stack that nests itself
    f = write(tmp_path, "gone.yaml", "Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n"
              "    Properties: {TemplateURL: ./nowhere.yaml}\n")
    assert ("error seed: %s:2: Resources.S: its template %s/./nowhere.yaml: cannot read it (No such file or directory)"
            % (f, tmp_path)) in refused(["--seed", f])
    f = write(tmp_path, "self.yaml", "Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n"
              "    Properties: {TemplateURL: self.yaml}\n")
    assert "Resources.S: nested stacks nest more than 8 deep (a stack that nests itself?)" in refused(["--seed", f])
