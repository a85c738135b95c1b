package ddbdtest

// What the test's requests would cost in DynamoDB (issue 53): ddbd's cost report, GET /ddbd/usage
// (docs/usage.md), as a short table a line a table. With DDBD_USAGE_SUMMARY=1 Start's cleanup
// prints it on stderr before it stops the server. A whole-store Restore starts a table's figures
// again, so Restore reads the report before and after itself and the differences are added up.
// With DDBD_USAGE_JSON=PATH (issue 64) the cleanup writes the run's report there, added up the
// same way and shaped as GET /ddbd/usage's (requests, units and cost by table, operation and access
// pattern), for `ddb usage diff BASE.json HEAD.json`.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
)

const monthSeconds = 730 * 3600 // as docs/usage.md's month

// UsageFigures are what adds up in a table, an operation or an access pattern of the report.
type UsageFigures struct {
	Requests   float64 `json:"requests"`
	ReadUnits  float64 `json:"readUnits"`
	WriteUnits float64 `json:"writeUnits"`
	Cost       float64 `json:"cost"`
}

// UsageReport is the part of GET /ddbd/usage the summary and DDBD_USAGE_JSON read.
type UsageReport struct {
	Region        string  `json:"region"`
	WindowSeconds float64 `json:"windowSeconds"`
	Tables        []struct {
		Table string `json:"table"`
		UsageFigures
		ProvisionedAtPeak struct {
			MonthlyCost float64 `json:"monthlyCost"`
		} `json:"provisionedAtPeak"`
		Operations []struct {
			Operation string `json:"operation"`
			UsageFigures
		} `json:"operations"`
		AccessPatterns []struct {
			Pattern string `json:"pattern"`
			UsageFigures
		} `json:"accessPatterns"`
	} `json:"tables"`
}

// A table's, operation's or access pattern's place in the tally: kind "table", "op" or "pattern".
type usageKey struct{ table, kind, name string }

type usageRow struct{ read, write, cost, peak float64 }

type usageTally struct {
	rows, base     map[string]usageRow
	window         float64
	region         string
	figures, fbase map[usageKey]UsageFigures // DDBD_USAGE_JSON's
}

// Usage reads the cost report now.
func (s *Server) Usage(t testing.TB) UsageReport {
	t.Helper()
	var r UsageReport
	res, err := http.Get(s.Endpoint + "/ddbd/usage")
	if err != nil {
		t.Fatalf("ddbd /ddbd/usage: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &r) != nil {
		t.Fatalf("ddbd /ddbd/usage: %d %s", res.StatusCode, body)
	}
	return r
}

func usageWanted() bool {
	v := os.Getenv("DDBD_USAGE_SUMMARY")
	return v != "" && v != "0"
}

func usageJSONPath() string { return os.Getenv("DDBD_USAGE_JSON") }

// figuresOf is every table's, operation's and access pattern's figures in r.
func figuresOf(r UsageReport) map[usageKey]UsageFigures {
	f := map[usageKey]UsageFigures{}
	for _, t := range r.Tables {
		f[usageKey{t.Table, "table", ""}] = t.UsageFigures
		for _, o := range t.Operations {
			f[usageKey{t.Table, "op", o.Operation}] = o.UsageFigures
		}
		for _, p := range t.AccessPatterns {
			f[usageKey{t.Table, "pattern", p.Pattern}] = p.UsageFigures
		}
	}
	return f
}

// add adds what the report holds beyond the last one read (a smaller figure: the table was made
// again, or restored, and all of it is new).
func (u *usageTally) add(r UsageReport) {
	u.window, u.region = r.WindowSeconds, r.Region
	for _, t := range r.Tables {
		row, base := u.rows[t.Table], u.base[t.Table]
		now := usageRow{t.ReadUnits, t.WriteUnits, t.Cost, 0}
		diff := func(n, b float64) float64 {
			if n >= b {
				return n - b
			}
			return n
		}
		row.read += diff(now.read, base.read)
		row.write += diff(now.write, base.write)
		row.cost += diff(now.cost, base.cost)
		if t.ProvisionedAtPeak.MonthlyCost > row.peak {
			row.peak = t.ProvisionedAtPeak.MonthlyCost
		}
		u.rows[t.Table] = row
	}
	if u.figures == nil {
		u.figures = map[usageKey]UsageFigures{}
	}
	for k, now := range figuresOf(r) {
		sum, base := u.figures[k], u.fbase[k]
		if now.Requests >= base.Requests && now.ReadUnits >= base.ReadUnits && now.WriteUnits >= base.WriteUnits {
			now = UsageFigures{now.Requests - base.Requests, now.ReadUnits - base.ReadUnits,
				now.WriteUnits - base.WriteUnits, now.Cost - base.Cost}
		} // else the table was made again, or restored: all of it is new
		u.figures[k] = UsageFigures{sum.Requests + now.Requests, sum.ReadUnits + now.ReadUnits,
			sum.WriteUnits + now.WriteUnits, sum.Cost + now.Cost}
	}
	u.rebase(r)
}

func (u *usageTally) rebase(r UsageReport) {
	u.base = map[string]usageRow{}
	for _, t := range r.Tables {
		u.base[t.Table] = usageRow{t.ReadUnits, t.WriteUnits, t.Cost, 0}
	}
	u.fbase = figuresOf(r)
}

// usageObject is one figure's JSON: its name member, its figures, the cost per 1,000 requests and a
// month at the run's rate.
func (u *usageTally) usageObject(member, name string, f UsageFigures) map[string]interface{} {
	o := map[string]interface{}{"requests": f.Requests, "readUnits": f.ReadUnits, "writeUnits": f.WriteUnits,
		"cost": f.Cost, "monthlyCost": f.Cost * monthSeconds / u.window}
	if member != "" {
		o[member] = name
	}
	if f.Requests > 0 {
		o["costPer1000Requests"] = f.Cost / f.Requests * 1000
	}
	return o
}

// UsageJSON is the run's report (since Start, restores included, when DDBD_USAGE_JSON or
// DDBD_USAGE_SUMMARY was set before Start; else the report now), shaped as GET /ddbd/usage's: what
// `ddb usage diff` compares (docs/usage.md, "Per test and per pull request").
func (s *Server) UsageJSON(t testing.TB) []byte {
	t.Helper()
	u := s.tally
	if u == nil {
		u = &usageTally{rows: map[string]usageRow{}}
	}
	u.add(s.Usage(t))
	keys := make([]usageKey, 0, len(u.figures))
	for k := range u.figures {
		keys = append(keys, k)
	}
	order := map[string]int{"table": 0, "op": 1, "pattern": 2} // a table's object before its lists' entries
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.table < b.table || a.table == b.table && (order[a.kind] < order[b.kind] ||
			a.kind == b.kind && a.name < b.name)
	})
	tables := []map[string]interface{}{}
	var total UsageFigures
	for _, k := range keys {
		f := u.figures[k]
		switch k.kind {
		case "table":
			o := u.usageObject("table", k.table, f)
			o["operations"], o["accessPatterns"] = []interface{}{}, []interface{}{}
			tables = append(tables, o)
			total = UsageFigures{total.Requests + f.Requests, total.ReadUnits + f.ReadUnits,
				total.WriteUnits + f.WriteUnits, total.Cost + f.Cost}
		case "op", "pattern":
			member, list := "operation", "operations"
			if k.kind == "pattern" {
				member, list = "pattern", "accessPatterns"
			}
			for _, o := range tables {
				if o["table"] == k.table {
					o[list] = append(o[list].([]interface{}), u.usageObject(member, k.name, f))
				}
			}
		}
	}
	out, err := json.MarshalIndent(map[string]interface{}{"region": u.region, "windowSeconds": u.window,
		"monthSeconds": monthSeconds, "tables": tables, "total": u.usageObject("", "", total)}, "", " ")
	if err != nil {
		t.Fatalf("ddbdtest: the usage report: %v", err)
	}
	return out
}

// UsageSummary is the table of what the requests so far would cost: since Start, restores
// included, when DDBD_USAGE_SUMMARY=1 was set before Start; else the report as it is now.
func (s *Server) UsageSummary(t testing.TB) string {
	t.Helper()
	u := s.tally
	if u == nil {
		u = &usageTally{rows: map[string]usageRow{}}
	}
	u.add(s.Usage(t))
	var b strings.Builder
	fmt.Fprintf(&b, "ddbd usage: what this run's requests would cost in DynamoDB (%s prices, docs/usage.md)\n", u.region)
	fmt.Fprintf(&b, "%-28s %12s %12s %14s %14s %16s\n", "table", "read units", "write units", "on-demand $",
		"$ a month", "provisioned $/mo")
	names := make([]string, 0, len(u.rows))
	for name := range u.rows {
		names = append(names, name)
	}
	sort.Strings(names)
	var total usageRow
	line := func(name string, r usageRow) {
		fmt.Fprintf(&b, "%-28.28s %12g %12g %14.8f %14.6f %16.6f\n", name, r.read, r.write, r.cost,
			r.cost*monthSeconds/u.window, r.peak)
	}
	for _, name := range names {
		r := u.rows[name]
		total.read, total.write, total.cost, total.peak = total.read+r.read, total.write+r.write, total.cost+r.cost, total.peak+r.peak
		line(name, r)
	}
	line("total", total)
	return b.String()
}
