package ddbdtest

// The server's clock (docs/admin.md, "The clock"; docs/testing.md, "The frozen clock"): a test of
// anything time-dependent (TTL, index lag, stale reads, replication lag, capacity, fault windows)
// starts the server with it stopped, Start(t, "--clock", "frozen"), and steps it:
//
//	srv := ddbdtest.Start(t, "--clock", "frozen")
//	clock := srv.Clock(t)
//	clock.Advance(61 * time.Second) // answers once TTL's sweep and the rest of what came due ran
//
// No sleep, no wall-time margin: a step answers after every background worker ran what came due,
// in time order, so the test passes the same on an idle machine and on a loaded one.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ClockState is GET /ddbd/clock's answer.
type ClockState struct {
	Now    int64 `json:"now"`    // ms since the epoch
	Offset int64 `json:"offset"` // ms from the wall clock
	Frozen bool  `json:"frozen"`
}

// Clock moves the server's clock; each call fails t when the server refuses it.
type Clock struct {
	s *Server
	t testing.TB
}

// Clock is the server's clock, its calls failing t.
func (s *Server) Clock(t testing.TB) *Clock { return &Clock{s: s, t: t} }

// State reads the clock: now, its offset from the wall clock, and whether it stands.
func (c *Clock) State() ClockState {
	c.t.Helper()
	return c.call(http.MethodGet, "")
}

// Now is the server's time.
func (c *Clock) Now() time.Time {
	c.t.Helper()
	return time.UnixMilli(c.State().Now)
}

// Freeze stops the clock where it stands: nothing that depends on it happens by itself until a step.
func (c *Clock) Freeze() time.Time {
	c.t.Helper()
	return c.move(`{"freeze":true}`)
}

// Run lets the clock run again, on from where it stood.
func (c *Clock) Run() time.Time {
	c.t.Helper()
	return c.move(`{"run":true}`)
}

// Advance steps the clock d forward (frozen or running), running what came due on the way, in time
// order, before it returns the new time. Milliseconds: a finer d is cut to the millisecond.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.t.Helper()
	return c.move(fmt.Sprintf(`{"advance":%d}`, d.Milliseconds()))
}

// Set moves the clock to at (frozen: it stays there).
func (c *Clock) Set(at time.Time) time.Time {
	c.t.Helper()
	return c.move(fmt.Sprintf(`{"set":%d}`, at.UnixMilli()))
}

func (c *Clock) move(body string) time.Time {
	c.t.Helper()
	return time.UnixMilli(c.call(http.MethodPost, body).Now)
}

func (c *Clock) call(method, body string) ClockState {
	c.t.Helper()
	var st ClockState
	req, err := http.NewRequest(method, c.s.Endpoint+"/ddbd/clock", strings.NewReader(body))
	if err != nil {
		c.t.Fatalf("ddbd /ddbd/clock: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("ddbd /ddbd/clock: %v", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || json.Unmarshal(answer, &st) != nil {
		c.t.Fatalf("ddbd /ddbd/clock: %d %s", res.StatusCode, answer)
	}
	return st
}
