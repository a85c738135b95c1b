package ddbdtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var ctx = context.Background()

func createTable(t *testing.T, db *dynamodb.Client, name string) {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, db *dynamodb.Client, id string) {
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"),
		Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}})
	if err != nil {
		t.Fatal(err)
	}
}

func state(t *testing.T, db *dynamodb.Client) string {
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("users")})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("tables %v, items %d", tables.TableNames, scan.Count)
}

// Consistency: a GSI read right after a write misses it under an index lag, and finds it once off.
func TestConsistencyLagsAGSI(t *testing.T) {
	srv := Start(t, "--in-memory", "--admin")
	db := dynamodb.NewFromConfig(srv.Config())
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("users"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("email"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("by_email"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Consistency(t, "users", "60000", 0, 1)
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"), Item: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "u1"}, "email": &types.AttributeValueMemberS{Value: "a@x"}}})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int32 {
		out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("users"), IndexName: aws.String("by_email"),
			KeyConditionExpression:    aws.String("email = :e"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{Value: "a@x"}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Count
	}
	if n := count(); n != 0 {
		t.Fatalf("under a 60 s index lag the GSI has %d items, want 0", n)
	}
	srv.Consistency(t, "users", "0", 0, 0)
	if n := count(); n != 1 {
		t.Fatalf("with the lag off the GSI has %d items, want 1", n)
	}
}

// The SDK through Config, and each subtest starting from the snapshot whatever the one before did.
func TestRestoreBeforeEachSubtest(t *testing.T) {
	srv := Start(t)
	db := dynamodb.NewFromConfig(srv.Config())
	createTable(t, db, "users")
	put(t, db, "alice")
	srv.Snapshot(t, "seed")
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			srv.Restore(t, "seed")
			if got := state(t, db); got != "tables [users], items 1" {
				t.Fatalf("after the restore: %s", got)
			}
			put(t, db, name)
			createTable(t, db, "extra-"+name)
		})
	}
	if got := state(t, db); got != "tables [extra-second users], items 2" {
		t.Fatalf("without a restore the changes stay: %s", got)
	}
}

func TestServersAreIndependent(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Endpoint == b.Endpoint {
		t.Fatalf("one endpoint for two servers: %s", a.Endpoint)
	}
	createTable(t, dynamodb.NewFromConfig(a.Config()), "users")
	out, err := dynamodb.NewFromConfig(b.Config()).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 0 {
		t.Fatalf("b sees a's tables: %v %v", out, err)
	}
}

func TestStopEndsTheServer(t *testing.T) {
	srv := Start(t)
	t0 := time.Now()
	srv.Stop()
	t.Logf("stopped in %v", time.Since(t0))
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("ddbd exited %d on SIGTERM", code)
	}
	if _, err := http.Get(srv.Endpoint + "/"); err == nil {
		t.Fatal("a stopped server answered")
	}
}

// fatal records what a helper reports through t.Fatalf (which ends the goroutine, as in a test).
type fatal struct {
	testing.TB
	msg      string
	cleanups []func()
}

func (f *fatal) Helper()                                   {}
func (f *fatal) Cleanup(fn func())                         { f.cleanups = append(f.cleanups, fn) }
func (f *fatal) Fatal(args ...interface{})                 { f.msg = fmt.Sprint(args...); runtime.Goexit() }
func (f *fatal) Fatalf(format string, args ...interface{}) { f.Fatal(fmt.Sprintf(format, args...)) }

func failure(run func(tb testing.TB)) string {
	f := &fatal{}
	done := make(chan struct{})
	go func() { defer close(done); run(f) }()
	<-done
	for _, fn := range f.cleanups {
		fn()
	}
	return f.msg
}

func TestErrorsSayWhy(t *testing.T) {
	msg := failure(func(tb testing.TB) { Start(tb, "--no-such-option") })
	if !strings.HasPrefix(msg, "ddbd did not start:\n") || !strings.Contains(msg, "no-such-option") {
		t.Errorf("bad option: %q", msg)
	}
	srv := Start(t)
	msg = failure(func(tb testing.TB) { srv.Restore(tb, "nope") })
	if msg != `ddbd /ddbd/snapshots/nope/restore: 404 {"message":"no snapshot named nope"}` {
		t.Errorf("unknown snapshot: %q", msg)
	}
	defer os.Setenv("DDBD_BIN", os.Getenv("DDBD_BIN"))
	os.Setenv("DDBD_BIN", "/nonexistent/ddbd")
	msg = failure(func(tb testing.TB) { Start(tb) })
	if msg != "ddbd did not start: fork/exec /nonexistent/ddbd: no such file or directory" {
		t.Errorf("no binary: %q", msg)
	}
}

// Start's args take --seed: the tables of the team's own infrastructure code (here the SAM sample
// of tests/compat/seed_templates, with a parameter), then a snapshot of them to restore per test.
func TestStartSeedsFromATemplate(t *testing.T) {
	srv := Start(t, "--seed", "../../../tests/compat/seed_templates/sam-app", "--seed-param", "Stage=staging",
		"--seed-param", "AWS::StackName=app")
	db := dynamodb.NewFromConfig(srv.Config())
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tables.TableNames, ","); got != "app-orders-staging,sessions-staging" {
		t.Fatalf("tables: %s", got)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("app-orders-staging")})
	if err != nil {
		t.Fatal(err)
	}
	if ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled ||
		aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expiresAt" {
		t.Fatalf("TTL: %+v", ttl.TimeToLiveDescription)
	}
	srv.Snapshot(t, "seed")
	srv.Restore(t, "seed")
}

// Injected faults: the SDK's own retries (three attempts by default) ride over two 500s; a third
// fault with one attempt left is seen; ClearFaults ends them.
func TestFaults(t *testing.T) {
	srv := Start(t)
	db := dynamodb.NewFromConfig(srv.Config())
	createTable(t, db, "users")
	srv.Faults(t, `[{"operation":"PutItem","table":"users","error":"InternalServerError","count":2}]`)
	put(t, db, "alice")
	srv.Faults(t, `[{"operation":"PutItem","error":"ThrottlingException"}]`)
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"),
		Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "bob"}}},
		func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	if err == nil || !strings.Contains(err.Error(), "ThrottlingException") {
		t.Fatalf("expected ThrottlingException, got %v", err)
	}
	srv.ClearFaults(t)
	put(t, db, "bob")
}

// DDBD_USAGE_SUMMARY=1: the summary adds up what came before each restore (a whole-store restore
// starts the figures again). Worked by hand: the seed puts alice (7 bytes: 1 write unit); each of
// 3 rounds restores, puts bob-N (1 write unit) and reads it back eventually consistently (0.5 read
// unit): 1.5 read and 4 write units, $0.125 and $0.625 a million: $0.0000026875.
func TestUsageSummaryAddsUpAcrossRestores(t *testing.T) {
	t.Setenv("DDBD_USAGE_SUMMARY", "1")
	srv := Start(t)
	db := dynamodb.NewFromConfig(srv.Config())
	createTable(t, db, "users")
	put(t, db, "alice")
	srv.Snapshot(t, "seed")
	for i := 0; i < 3; i++ {
		srv.Restore(t, "seed")
		put(t, db, fmt.Sprintf("bob-%d", i))
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"),
			Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprintf("bob-%d", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	summary := srv.UsageSummary(t)
	var read, write, cost float64
	for _, line := range strings.Split(summary, "\n") {
		if strings.HasPrefix(line, "users ") {
			fmt.Sscanf(strings.TrimPrefix(line, "users"), "%g %g %g", &read, &write, &cost)
		}
	}
	if read != 1.5 || write != 4 || cost < 2.68e-6 || cost > 2.69e-6 {
		t.Fatalf("users: %g read, %g write units, $%g; want 1.5, 4, $0.0000026875:\n%s", read, write, cost, summary)
	}
	if !strings.HasPrefix(summary, "ddbd usage: what this run's requests would cost in DynamoDB (us-east-1 prices") {
		t.Fatalf("summary:\n%s", summary)
	}
}

// DDBD_USAGE_JSON (issue 64): the run's report, added up across restores as the summary is, shaped
// as GET /ddbd/usage's: the seed's PutItem and 3 rounds of a PutItem and a GetItem, counted.
func TestUsageJSONAddsUpAcrossRestores(t *testing.T) {
	t.Setenv("DDBD_USAGE_JSON", filepath.Join(t.TempDir(), "run.json"))
	srv := Start(t)
	db := dynamodb.NewFromConfig(srv.Config())
	createTable(t, db, "users")
	put(t, db, "alice")
	srv.Snapshot(t, "seed")
	for i := 0; i < 3; i++ {
		srv.Restore(t, "seed")
		put(t, db, fmt.Sprintf("bob-%d", i))
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"),
			Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprintf("bob-%d", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	var report struct {
		Tables []struct {
			Table      string  `json:"table"`
			Requests   float64 `json:"requests"`
			ReadUnits  float64 `json:"readUnits"`
			WriteUnits float64 `json:"writeUnits"`
			Operations []struct {
				Operation string  `json:"operation"`
				Requests  float64 `json:"requests"`
			} `json:"operations"`
		} `json:"tables"`
		Total struct {
			Requests float64 `json:"requests"`
		} `json:"total"`
	}
	if err := json.Unmarshal(srv.UsageJSON(t), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Tables) != 1 || report.Tables[0].Table != "users" || report.Tables[0].Requests != 7 ||
		report.Tables[0].ReadUnits != 1.5 || report.Tables[0].WriteUnits != 4 || report.Total.Requests != 7 {
		t.Fatalf("report: %+v", report)
	}
	ops := map[string]float64{}
	for _, o := range report.Tables[0].Operations {
		ops[o.Operation] = o.Requests
	}
	if len(ops) != 2 || ops["PutItem"] != 4 || ops["GetItem"] != 3 {
		t.Fatalf("operations: %v", ops)
	}
}

// The frozen clock: Start(t, "--clock", "frozen@T0") stands at T0 (a table's CreationDateTime is
// T0), and a step past an item's TTL answers with the item gone (the sweep ran inside the step).
func TestFrozenClockSteps(t *testing.T) {
	const t0 = int64(1_700_000_000_000)
	srv := Start(t, "--clock", fmt.Sprintf("frozen@%d", t0))
	clock := srv.Clock(t)
	if st := clock.State(); st.Now != t0 || !st.Frozen {
		t.Fatalf("at the start: %+v", st)
	}
	db := dynamodb.NewFromConfig(srv.Config())
	createTable(t, db, "users")
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("users")})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.Table.CreationDateTime.UnixMilli(); got != t0 {
		t.Fatalf("CreationDateTime %d, want the frozen %d", got, t0)
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("users"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("expires")}}); err != nil {
		t.Fatal(err)
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"), Item: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "s1"}, "expires": &types.AttributeValueMemberN{Value: fmt.Sprint(t0/1000 + 60)}}})
	if err != nil {
		t.Fatal(err)
	}
	there := func() bool {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"),
			Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "s1"}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item != nil
	}
	if now := clock.Advance(59 * time.Second); now.UnixMilli() != t0+59_000 || !there() {
		t.Fatalf("at %v the item should be there", now)
	}
	if clock.Advance(2 * time.Second); there() {
		t.Fatal("a step past its TTL left the item")
	}
	if now := clock.Set(time.UnixMilli(t0 + 86_400_000)); now.UnixMilli() != t0+86_400_000 || !clock.Now().Equal(now) {
		t.Fatalf("set: %v, now %v", now, clock.Now())
	}
	if clock.Run(); clock.State().Frozen {
		t.Fatal("running, it says frozen")
	}
	if at := clock.Freeze(); !clock.State().Frozen || !clock.Now().Equal(at) {
		t.Fatal("frozen again, it moved")
	}
	msg := failure(func(tb testing.TB) { srv.Clock(tb).Set(time.UnixMilli(-1)) })
	if msg != `ddbd /ddbd/clock: 400 {"message":"the clock must stay between the epoch and the end of year 9999 `+
		`(0 to 253402300799999 ms since the epoch)"}` {
		t.Errorf("a refused step: %q", msg)
	}
}
