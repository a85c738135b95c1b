// The operation on screen as code to paste: boto3, the JavaScript SDK v3, the Go SDK v2, the AWS
// CLI and libddb (C). Each snippet is a whole program that runs the request against this server and
// prints its answer; tests/console/codegen.test.mjs runs every one of them against ddbd, on a
// machine with no AWS set-up. Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else
// "local" (a server without --auth takes any key): each snippet says so itself, the CLI's by the
// variables it sets for its command (the CLI has no such fallback of its own). A Query or Scan
// reads every page from the first: the screen's page size is the size of each request (Limit), and
// the loop follows LastEvaluatedKey to the end (the screen's ExclusiveStartKey is left out).
import { field, h } from './dom.js';

export const LANGUAGES = [['python', 'Python (boto3)'], ['js', 'JavaScript (SDK v3)'], ['go', 'Go (SDK v2)'], ['cli', 'AWS CLI'],
  ['c', 'C (libddb)']];

const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);
const snake = (op) => op.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase());
const isBinary = (k, v) => (k === 'B' && typeof v === 'string');
const isBinarySet = (k, v) => (k === 'BS' && Array.isArray(v));
const pages = (op) => op === 'Query' || op === 'Scan';

/* The request a snippet sends first: a Query or Scan from its first page. */
function firstRequest(op, input) {
  if (!pages(op)) return input;
  const { ExclusiveStartKey, ...rest } = input; // eslint-disable-line no-unused-vars
  return rest;
}

/* A JSON value as a Python literal; binary (an attribute value's B or BS) as bytes, which boto3 wants. */
function py(v, ind = '') {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v !== 'object') return JSON.stringify(v);
  const inner = `${ind}    `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => `${inner}${py(x, inner)}`).join(',\n')},\n${ind}]` : '[]';
  const e = Object.entries(v);
  if (!e.length) return '{}';
  return `{\n${e.map(([k, x]) => {
    let val = py(x, inner);
    if (isBinary(k, x)) val = `base64.b64decode(${JSON.stringify(x)})`;
    else if (isBinarySet(k, x)) val = `[${x.map((b) => `base64.b64decode(${JSON.stringify(b)})`).join(', ')}]`;
    return `${inner}${JSON.stringify(k)}: ${val}`;
  }).join(',\n')},\n${ind}}`;
}

/* A JSON value as a JavaScript literal; binary as a Buffer (a Uint8Array, which the SDK wants). */
function js(v, ind = '') {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const inner = `${ind}  `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => `${inner}${js(x, inner)}`).join(',\n')},\n${ind}]` : '[]';
  const e = Object.entries(v);
  if (!e.length) return '{}';
  return `{\n${e.map(([k, x]) => {
    let val = js(x, inner);
    if (isBinary(k, x)) val = `Buffer.from(${JSON.stringify(x)}, 'base64')`;
    else if (isBinarySet(k, x)) val = `[${x.map((b) => `Buffer.from(${JSON.stringify(b)}, 'base64')`).join(', ')}]`;
    return `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${val}`;
  }).join(',\n')},\n${ind}}`;
}

/* Go: an attribute value as the SDK's typed member. */
function goValue(v, ind) {
  const [t, x] = Object.entries(v)[0];
  const q = JSON.stringify;
  switch (t) {
    case 'S': return `&types.AttributeValueMemberS{Value: ${q(x)}}`;
    case 'N': return `&types.AttributeValueMemberN{Value: ${q(x)}}`;
    case 'B': return `&types.AttributeValueMemberB{Value: b64(${q(x)})}`;
    case 'BOOL': return `&types.AttributeValueMemberBOOL{Value: ${x}}`;
    case 'NULL': return `&types.AttributeValueMemberNULL{Value: ${x}}`;
    case 'SS': return `&types.AttributeValueMemberSS{Value: []string{${x.map(q).join(', ')}}}`;
    case 'NS': return `&types.AttributeValueMemberNS{Value: []string{${x.map(q).join(', ')}}}`;
    case 'BS': return `&types.AttributeValueMemberBS{Value: [][]byte{${x.map((b) => `b64(${q(b)})`).join(', ')}}}`;
    case 'L': return x.length ? `&types.AttributeValueMemberL{Value: []types.AttributeValue{\n${x.map((y) => `${ind}\t${goValue(y, `${ind}\t`)},\n`).join('')}${ind}}}` : '&types.AttributeValueMemberL{Value: []types.AttributeValue{}}';
    case 'M': return `&types.AttributeValueMemberM{Value: ${goItem(x, ind)}}`;
    default: throw new Error(`no Go for type ${t}`);
  }
}

function goItem(m, ind) {
  const e = Object.entries(m);
  if (!e.length) return 'map[string]types.AttributeValue{}';
  return `map[string]types.AttributeValue{\n${e.map(([k, v]) => `${ind}\t${JSON.stringify(k)}: ${goValue(v, `${ind}\t`)},\n`).join('')}${ind}}`;
}

/* Go: the input struct's fields, each as the SDK types it. */
function goField(k, v, ind) {
  if (typeof v === 'string') return `aws.String(${JSON.stringify(v)})`;
  if (typeof v === 'boolean') return `aws.Bool(${v})`;
  if (typeof v === 'number') return `aws.Int32(${v})`;
  if (k === 'ExpressionAttributeNames') {
    return `map[string]string{\n${Object.entries(v).map(([a, b]) => `${ind}\t${JSON.stringify(a)}: ${JSON.stringify(b)},\n`).join('')}${ind}}`;
  }
  return goItem(v, ind); // Key, Item, ExclusiveStartKey, ExpressionAttributeValues
}

function python(op, input, endpoint, region) {
  const call = pages(op) ? `request = ${py(input)}
items = []
while True:  # page by page (Limit items a request) until there is no LastEvaluatedKey
    out = client.${snake(op)}(**request)
    items += out["Items"]
    if "LastEvaluatedKey" not in out:
        break
    request["ExclusiveStartKey"] = out["LastEvaluatedKey"]
print(json.dumps(items, default=str))
` : `out = client.${snake(op)}(**${py(input)})
${op === 'GetItem' ? 'print(json.dumps(out.get("Item"), default=str))' : 'print("ok")'}
`;
  return `import base64
import json
import os

import boto3

client = boto3.client(
    "dynamodb",
    endpoint_url=${JSON.stringify(endpoint)},
    region_name=${JSON.stringify(region)},
    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
)
${call}`;
}

function javascript(op, input, endpoint, region) {
  const call = pages(op) ? `const request = ${js(input)};
const items = [];
do { // page by page (Limit items a request) until there is no LastEvaluatedKey
  const out = await client.send(new ${op}Command(request));
  items.push(...out.Items);
  request.ExclusiveStartKey = out.LastEvaluatedKey;
} while (request.ExclusiveStartKey);
console.log(JSON.stringify(items));
` : `const out = await client.send(new ${op}Command(${js(input)}));
${op === 'GetItem' ? 'console.log(JSON.stringify(out.Item));' : "console.log('ok');"}
`;
  return `// node snippet.mjs (npm i @aws-sdk/client-dynamodb)
import { DynamoDBClient, ${op}Command } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({
  endpoint: ${JSON.stringify(endpoint)},
  region: ${JSON.stringify(region)},
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'local', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'local' },
});
${call}`;
}

/* Go: the answer printed as DynamoDB JSON (numbers as their digits, binary as base64). */
const GO_PRINT = `
// ddbJSON gives an attribute value as DynamoDB JSON's tree ({"S": "..."}, {"N": "..."}, ...).
func ddbJSON(v types.AttributeValue) interface{} {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]string{"S": x.Value}
	case *types.AttributeValueMemberN:
		return map[string]string{"N": x.Value}
	case *types.AttributeValueMemberB:
		return map[string][]byte{"B": x.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]bool{"BOOL": x.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]bool{"NULL": x.Value}
	case *types.AttributeValueMemberSS:
		return map[string][]string{"SS": x.Value}
	case *types.AttributeValueMemberNS:
		return map[string][]string{"NS": x.Value}
	case *types.AttributeValueMemberBS:
		return map[string][][]byte{"BS": x.Value}
	case *types.AttributeValueMemberL:
		l := []interface{}{}
		for _, e := range x.Value {
			l = append(l, ddbJSON(e))
		}
		return map[string]interface{}{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]interface{}{"M": itemJSON(x.Value)}
	}
	return nil
}

func itemJSON(item map[string]types.AttributeValue) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range item {
		out[k] = ddbJSON(v)
	}
	return out
}

func printJSON(answer interface{}) {
	var tree interface{}
	switch x := answer.(type) {
	case map[string]types.AttributeValue:
		if x != nil {
			tree = itemJSON(x)
		}
	case []map[string]types.AttributeValue:
		items := []interface{}{}
		for _, item := range x {
			items = append(items, itemJSON(item))
		}
		tree = items
	}
	text, err := json.Marshal(tree)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(text))
}
`;

function go(op, input, endpoint, region) {
  const fields = Object.entries(input).map(([k, v]) => `\t\t${k}: ${goField(k, v, '\t\t')},\n`).join('');
  const usesB64 = /b64\(/.test(fields);
  const reads = pages(op) || op === 'GetItem';
  const call = pages(op) ? `	input := &dynamodb.${op}Input{
${fields}	}
	items := []map[string]types.AttributeValue{}
	for { // page by page (Limit items a request) until there is no LastEvaluatedKey
		out, err := client.${op}(context.Background(), input)
		if err != nil {
			log.Fatal(err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		input.ExclusiveStartKey = out.LastEvaluatedKey
	}
	printJSON(items)
` : `	out, err := client.${op}(context.Background(), &dynamodb.${op}Input{
${fields}	})
	if err != nil {
		log.Fatal(err)
	}
${op === 'GetItem' ? '\tprintJSON(out.Item)\n' : '\t_ = out\n\tfmt.Println("ok")\n'}`;
  return `// main.go: a program of its own (package main), in a directory of its own. With the SDK from
// the Go module proxy:
//   go mod init snippet && go mod tidy && go run .
// With Debian 12's golang-github-aws-aws-sdk-go-v2-dev instead (offline, no module):
//   GO111MODULE=off GOPATH=/usr/share/gocode go run main.go
package main

import (
	"context"
${usesB64 ? '\t"encoding/base64"\n' : ''}${reads ? '\t"encoding/json"\n' : ''}	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
${fields.includes('types.') || reads ? '\t"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"\n' : ''})

func env(name, otherwise string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return otherwise
}
${usesB64 ? `
func b64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		log.Fatal(err)
	}
	return b
}
` : ''}${reads ? GO_PRINT : ''}
func main() {
	client := dynamodb.New(dynamodb.Options{
		Region:           ${JSON.stringify(region)},
		Credentials:      credentials.NewStaticCredentialsProvider(env("AWS_ACCESS_KEY_ID", "local"), env("AWS_SECRET_ACCESS_KEY", "local"), ""),
		EndpointResolver: dynamodb.EndpointResolverFromURL(${JSON.stringify(endpoint)}),
	})
${call}}
`;
}

/* A shell word: single-quoted, a quote inside written '\\''. */
const shq = (s) => `'${s.replace(/'/g, "'\\''")}'`;

/* Whether a request holds binary (an attribute value's B or BS). */
const hasBinary = (v) => v !== null && typeof v === 'object'
  && Object.entries(v).some(([k, x]) => isBinary(k, x) || isBinarySet(k, x) || hasBinary(x));

function cli(op, input, endpoint, region) {
  // --cli-input-json carries every parameter as the API's JSON. Binary in it is base64 for version 2
  // of the CLI (its default, said outright here); version 1 would store the base64 text itself as the
  // bytes, so it is made to refuse the option instead of writing wrong data
  const binary = hasBinary(input) ? ' --cli-binary-format base64' : '';
  // a Query or Scan: the CLI reads every page itself, --page-size items a request (the Limit)
  const { Limit, ...rest } = input;
  const paged = pages(op) && Limit !== undefined;
  const size = paged ? ` --page-size ${Limit}` : '';
  // the CLI has no credentials of its own to fall back on: "local" unless the environment has some
  return `AWS_ACCESS_KEY_ID="\${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="\${AWS_SECRET_ACCESS_KEY:-local}" \\
aws dynamodb ${snake(op).replace(/_/g, '-')} --endpoint-url ${endpoint} --region ${region}${binary}${size} \\
  --cli-input-json ${shq(JSON.stringify(paged ? rest : input))}\n`;
}

/* A C string literal of `s` (UTF-8 kept as is). Every '?' is written \? so that no two stand
   together: under -std=c11 (trigraphs on) `??/` is a backslash, and a key ending in it closed the
   literal early, the rest of the request becoming code. */
const cstr = (s) => `"${s.replace(/[\\"?]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;

/* C: one request, its answer printed. */
const C_ONE = (op) => `    ddb_result *r = NULL;
    int status = ddb_call(client, ${cstr(op)}, request, sizeof request - 1, &r);
    if (status == DDB_OK)
        printf("%s\\n", ddb_result_body(r, NULL));
    else
        fprintf(stderr, "%s: %s: %s\\n", ddb_status_name(status), ddb_result_error_type(r), ddb_result_message(r));
    ddb_result_free(r);
`;

/* C: a Query or Scan page by page, each answer printed; the next request is the first one with the
   page's LastEvaluatedKey as its ExclusiveStartKey. */
const C_PAGES = (op) => `    char *next = NULL; /* the request of the next page */
    int status;
    for (;;) { /* page by page (Limit items a request) until there is no LastEvaluatedKey */
        ddb_result *r = NULL;
        status = ddb_call(client, ${cstr(op)}, next ? next : request, next ? strlen(next) : sizeof request - 1, &r);
        if (status != DDB_OK) {
            fprintf(stderr, "%s: %s: %s\\n", ddb_status_name(status), ddb_result_error_type(r), ddb_result_message(r));
            ddb_result_free(r);
            break;
        }
        printf("%s\\n", ddb_result_body(r, NULL));
        char *key = ddb_result_last_key(r) ? ddb_item_format(ddb_result_last_key(r)) : NULL;
        ddb_result_free(r);
        if (key == NULL)
            break;
        free(next); /* the request without its closing brace, then the key */
        next = malloc(sizeof request + strlen(key) + sizeof ", \\"ExclusiveStartKey\\": }");
        if (next == NULL)
            abort();
        sprintf(next, "%.*s, \\"ExclusiveStartKey\\": %s}", (int)(sizeof request - 2), request, key);
        free(key);
    }
    free(next);
`;

function c(op, input, endpoint, region) {
  return `/* cc snippet.c $(pkg-config --cflags --libs ddb) */
#include <ddb/ddb.h>
#include <stdio.h>
${pages(op) ? '#include <stdlib.h>\n#include <string.h>\n' : ''}
int main(void) {
    ddb_config *cfg = ddb_config_new(); /* credentials from the environment, else "local" */
    ddb_client *client = NULL;
    if (ddb_config_set_endpoint(cfg, ${cstr(endpoint)}) != DDB_OK || ddb_config_set_region(cfg, ${cstr(region)}) != DDB_OK
        || ddb_client_new(cfg, &client) != DDB_OK) {
        fprintf(stderr, "%s\\n", ddb_config_error(cfg) ? ddb_config_error(cfg) : "no client");
        return 1;
    }
    ddb_config_free(cfg);
    static const char request[] = ${cstr(JSON.stringify(input))};
${pages(op) ? C_PAGES(op) : C_ONE(op)}    ddb_client_free(client);
    return status == DDB_OK ? 0 : 1;
}
`;
}

const MAKERS = { python, js: javascript, go, cli, c };

/* The snippet of `lang` for operation `op` with `input`, against this page's server. */
export function snippet(lang, op, input, region = 'us-east-1', endpoint = location.origin) {
  return MAKERS[lang](op, firstRequest(op, input), endpoint, region);
}

/* A "Code" box: a language select and the snippet of what `current()` gives ({op, input}, or throws
   while the form is not yet a request), drawn again by the returned redraw(). */
export function codeBox(id, current, region) {
  const lang = h('select', { id: `${id}-lang` }, LANGUAGES.map(([v, text]) => h('option', { value: v }, text)));
  lang.value = localStorage.getItem('ddbd.codeLang') || 'python';
  const pre = h('pre', { id: `${id}-text`, tabindex: 0 });
  const copy = h('button', { type: 'button', class: 'secondary', id: `${id}-copy`,
    onclick: () => navigator.clipboard?.writeText(pre.textContent).catch(() => {}) }, 'Copy');
  const box = h('details', { id }, h('summary', {}, 'Code for this operation'), h('div', { class: 'row' }, field('Language', lang), copy), pre);
  const redraw = () => {
    try {
      const { op, input } = current();
      pre.textContent = snippet(lang.value, op, input, region());
    } catch (err) {
      pre.textContent = `(not a request yet: ${err.message})`;
    }
  };
  lang.addEventListener('change', () => { localStorage.setItem('ddbd.codeLang', lang.value); redraw(); });
  box.addEventListener('toggle', redraw);
  return { box, redraw };
}
