// tests/go/sdkv2/main.go: the AWS SDK for Go v2 against ddbd.
//
// Starts `ddbd --in-memory` ($DDBD_BIN) on a free loopback port and drives it through the SDK's
// DynamoDB client as an application would: tables (create, the TableExists waiter, describe,
// the ListTables paginator, delete), items (put, get, update with a condition, the typed
// ConditionalCheckFailedException, delete), Query paging with the SDK's paginator, and
// BatchWriteItem/BatchGetItem. Exits 0 when every check passed, 1 at the first failure.
//
// Built offline from Debian's golang-github-aws-aws-sdk-go-v2-dev (tests/go/run.sh):
//
//	GO111MODULE=off GOPATH=$PWD/gopath:/usr/share/gocode go build -o sdkv2 ./sdkv2
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

var ctx = context.Background()

// server is the ddbd this program started; stopped on every exit path.
var server *exec.Cmd

func stop() {
	if server != nil {
		server.Process.Signal(syscall.SIGTERM)
		server.Wait()
		server = nil
	}
}

func check(cond bool, format string, args ...interface{}) {
	if !cond {
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
		stop()
		os.Exit(1)
	}
}

func must(err error, what string) {
	check(err == nil, "%s: %v", what, err)
}

// startDdbd runs ddbd on a free loopback port and waits until GET / answers.
func startDdbd() string {
	bin := os.Getenv("DDBD_BIN")
	if bin == "" {
		bin = "/tmp/build-lead/ddbd"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err, "free port")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--in-memory")
	cmd.Stderr = os.Stderr
	must(cmd.Start(), "start "+bin)
	server = cmd
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if res, err := http.Get(endpoint + "/"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return endpoint
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	check(false, "ddbd did not answer on %s", endpoint)
	return ""
}

func newClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		EndpointResolver: dynamodb.EndpointResolverFromURL(endpoint),
		Retryer:          aws.NopRetryer{},
	})
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func num(n int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: strconv.Itoa(n)} }

// Tables: create (waiting with the SDK's TableExists waiter), describe, list, and at the end delete.
func tables(c *dynamodb.Client, name string) {
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	must(err, "CreateTable")
	check(aws.ToString(out.TableDescription.TableName) == name, "CreateTable name %q", aws.ToString(out.TableDescription.TableName))
	must(dynamodb.NewTableExistsWaiter(c).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)},
		5*time.Second, func(o *dynamodb.TableExistsWaiterOptions) {
			o.MinDelay = 10 * time.Millisecond
			o.MaxDelay = 100 * time.Millisecond
		}),
		"TableExists waiter")

	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	must(err, "DescribeTable")
	t := desc.Table
	check(t.TableStatus == types.TableStatusActive, "TableStatus %q", t.TableStatus)
	check(len(t.KeySchema) == 2 && aws.ToString(t.KeySchema[0].AttributeName) == "pk" && t.KeySchema[0].KeyType == types.KeyTypeHash &&
		aws.ToString(t.KeySchema[1].AttributeName) == "sk" && t.KeySchema[1].KeyType == types.KeyTypeRange, "KeySchema %+v", t.KeySchema)
	check(t.BillingModeSummary != nil && t.BillingModeSummary.BillingMode == types.BillingModePayPerRequest, "BillingModeSummary %+v", t.BillingModeSummary)
	check(t.TableArn != nil && len(*t.TableArn) > 0, "TableArn missing")

	// a second table, so that ListTables paged one name at a time has two pages to walk
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String(name + "_2"),
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
	})
	must(err, "CreateTable (second)")
	var names []string
	pages := 0
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(err, "ListTables page")
		check(len(page.TableNames) <= 1, "ListTables Limit 1 gave %d names", len(page.TableNames))
		names = append(names, page.TableNames...)
		pages++
	}
	check(len(names) == 2 && names[0] == name && names[1] == name+"_2", "ListTables names %v", names)
	check(pages >= 2, "ListTables pages %d", pages)
	_, err = c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name + "_2")})
	must(err, "DeleteTable (second)")
}

// Items: put, get, a conditional update that passes and one that fails, delete.
func items(c *dynamodb.Client, name string) {
	type song struct {
		PK     string   `dynamodbav:"pk"`
		SK     int      `dynamodbav:"sk"`
		Title  string   `dynamodbav:"title"`
		Plays  int      `dynamodbav:"plays"`
		Genres []string `dynamodbav:"genres,stringset"`
	}
	item, err := attributevalue.MarshalMap(song{PK: "artist#1", SK: 1, Title: "Hello", Plays: 3, Genres: []string{"pop", "rock"}})
	must(err, "MarshalMap")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	must(err, "PutItem")
	key := map[string]types.AttributeValue{"pk": str("artist#1"), "sk": num(1)}

	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name), Key: key, ConsistentRead: aws.Bool(true)})
	must(err, "GetItem")
	var s song
	must(attributevalue.UnmarshalMap(got.Item, &s), "UnmarshalMap")
	sort.Strings(s.Genres)
	check(s.Title == "Hello" && s.Plays == 3 && len(s.Genres) == 2 && s.Genres[0] == "pop" && s.Genres[1] == "rock", "GetItem %+v", s)

	up, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(name),
		Key:                       key,
		UpdateExpression:          aws.String("SET plays = plays + :inc, title = :t"),
		ConditionExpression:       aws.String("plays = :old"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":inc": num(2), ":t": str("Hello again"), ":old": num(3)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	must(err, "UpdateItem")
	plays, ok := up.Attributes["plays"].(*types.AttributeValueMemberN)
	check(ok && plays.Value == "5", "UpdateItem UPDATED_NEW plays %#v", up.Attributes["plays"])
	check(len(up.Attributes) == 2, "UpdateItem UPDATED_NEW gave %d attributes", len(up.Attributes))

	// the same condition again: plays is 5 now, so the SDK surfaces the typed error
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(name),
		Key:                       key,
		UpdateExpression:          aws.String("SET plays = plays + :inc"),
		ConditionExpression:       aws.String("plays = :old"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":inc": num(2), ":old": num(3)},
	})
	var ccf *types.ConditionalCheckFailedException
	check(errors.As(err, &ccf), "failed condition: want *types.ConditionalCheckFailedException, got %T %v", err, err)
	check(ccf.ErrorMessage() == "The conditional request failed", "ConditionalCheckFailedException message %q", ccf.ErrorMessage())
	var apiErr smithy.APIError
	check(errors.As(err, &apiErr) && apiErr.ErrorCode() == "ConditionalCheckFailedException", "APIError code %v", err)

	got, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name), Key: key, ConsistentRead: aws.Bool(true)})
	must(err, "GetItem after failed update")
	plays, ok = got.Item["plays"].(*types.AttributeValueMemberN)
	check(ok && plays.Value == "5", "a failed update changed plays: %#v", got.Item["plays"])

	del, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(name), Key: key, ReturnValues: types.ReturnValueAllOld})
	must(err, "DeleteItem")
	title, ok := del.Attributes["title"].(*types.AttributeValueMemberS)
	check(ok && title.Value == "Hello again", "DeleteItem ALL_OLD title %#v", del.Attributes["title"])
	got, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name), Key: key, ConsistentRead: aws.Bool(true)})
	must(err, "GetItem after delete")
	check(got.Item == nil, "item still there after DeleteItem: %v", got.Item)
}

// Batches: 25 items in one BatchWriteItem (DynamoDB's maximum), read back with BatchGetItem.
func batches(c *dynamodb.Client, name string) {
	var writes []types.WriteRequest
	for i := 0; i < 25; i++ {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"pk": str("album#7"), "sk": num(i), "track": str(fmt.Sprintf("track %02d", i)),
		}}})
	}
	bw, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{name: writes}})
	must(err, "BatchWriteItem")
	check(len(bw.UnprocessedItems) == 0, "BatchWriteItem left %d tables unprocessed", len(bw.UnprocessedItems))

	var keys []map[string]types.AttributeValue
	for _, i := range []int{0, 7, 24, 99} { // 99 does not exist
		keys = append(keys, map[string]types.AttributeValue{"pk": str("album#7"), "sk": num(i)})
	}
	bg, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		name: {Keys: keys, ProjectionExpression: aws.String("sk, track"), ConsistentRead: aws.Bool(true)},
	}})
	must(err, "BatchGetItem")
	check(len(bg.UnprocessedKeys) == 0, "BatchGetItem left keys unprocessed")
	got := map[string]string{}
	for _, it := range bg.Responses[name] {
		check(len(it) == 2, "projection gave %d attributes", len(it))
		got[it["sk"].(*types.AttributeValueMemberN).Value] = it["track"].(*types.AttributeValueMemberS).Value
	}
	check(len(got) == 3 && got["0"] == "track 00" && got["7"] == "track 07" && got["24"] == "track 24", "BatchGetItem %v", got)
}

// Query paging: the 25 items of album#7 through the SDK's paginator, 10 per page, both directions.
func queryPaging(c *dynamodb.Client, name string) {
	for _, forward := range []bool{true, false} {
		p := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
			TableName:                 aws.String(name),
			KeyConditionExpression:    aws.String("pk = :pk AND sk >= :lo"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("album#7"), ":lo": num(0)},
			ScanIndexForward:          aws.Bool(forward),
			Limit:                     aws.Int32(10),
		})
		var sks []int
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(err, "Query page")
			pages++
			check(page.Count == int32(len(page.Items)) && page.Count <= 10, "page %d: Count %d, %d items", pages, page.Count, len(page.Items))
			for _, it := range page.Items {
				n, _ := strconv.Atoi(it["sk"].(*types.AttributeValueMemberN).Value)
				sks = append(sks, n)
			}
			check(pages < 10, "the paginator does not stop")
		}
		check(len(sks) == 25, "forward=%v: %d items, want 25", forward, len(sks))
		check(pages == 3, "forward=%v: %d pages of at most 10, want 3", forward, pages)
		for i, n := range sks {
			want := i
			if !forward {
				want = 24 - i
			}
			check(n == want, "forward=%v: item %d has sk %d, want %d", forward, i, n, want)
		}
	}
	// a filter counts what was read (ScannedCount) apart from what matched (Count)
	out, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(name),
		KeyConditionExpression:    aws.String("pk = :pk"),
		FilterExpression:          aws.String("contains(track, :d)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("album#7"), ":d": str("1")},
		Select:                    types.SelectCount,
	})
	must(err, "Query with filter")
	check(out.Count == 12 && out.ScannedCount == 25, "filtered Query Count %d ScannedCount %d, want 12 and 25", out.Count, out.ScannedCount)
}

func deleteTable(c *dynamodb.Client, name string) {
	_, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	must(err, "DeleteTable")
	must(dynamodb.NewTableNotExistsWaiter(c).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)},
		5*time.Second, func(o *dynamodb.TableNotExistsWaiterOptions) {
			o.MinDelay = 10 * time.Millisecond
			o.MaxDelay = 100 * time.Millisecond
		}),
		"TableNotExists waiter")
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var rnf *types.ResourceNotFoundException
	check(errors.As(err, &rnf), "DescribeTable of a deleted table: want *types.ResourceNotFoundException, got %T %v", err, err)
	lt, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
	must(err, "ListTables")
	check(len(lt.TableNames) == 0, "tables left: %v", lt.TableNames)
}

func main() {
	endpoint := startDdbd()
	defer stop()
	c := newClient(endpoint)
	const name = "go_sdk_v2"
	start := time.Now()
	tables(c, name)
	items(c, name)
	batches(c, name)
	queryPaging(c, name)
	deleteTable(c, name)
	fmt.Printf("ok: AWS SDK for Go v2 against %s (%v)\n", endpoint, time.Since(start).Round(time.Millisecond))
}
