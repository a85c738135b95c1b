package ddbdtest

// What the test's requests would cost in DynamoDB (issue 53): ddbd's cost report, GET /ddbd/usage
// (docs/usage.md), as a short table a line a table. With DDBD_USAGE_SUMMARY=1 Start's cleanup
// prints it on stderr before it stops the server. A whole-store Restore starts a table's figures
// again, so Restore reads the report before and after itself and the differences are added up.

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

// UsageReport is the part of GET /ddbd/usage the summary reads.
type UsageReport struct {
	Region        string  `json:"region"`
	WindowSeconds float64 `json:"windowSeconds"`
	Tables        []struct {
		Table             string  `json:"table"`
		ReadUnits         float64 `json:"readUnits"`
		WriteUnits        float64 `json:"writeUnits"`
		Cost              float64 `json:"cost"`
		ProvisionedAtPeak struct {
			MonthlyCost float64 `json:"monthlyCost"`
		} `json:"provisionedAtPeak"`
	} `json:"tables"`
}

type usageRow struct{ read, write, cost, peak float64 }

type usageTally struct {
	rows, base map[string]usageRow
	window     float64
	region     string
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
	u.rebase(r)
}

func (u *usageTally) rebase(r UsageReport) {
	u.base = map[string]usageRow{}
	for _, t := range r.Tables {
		u.base[t.Table] = usageRow{t.ReadUnits, t.WriteUnits, t.Cost, 0}
	}
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
