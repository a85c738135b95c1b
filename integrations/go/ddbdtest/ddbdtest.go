// Package ddbdtest starts ddbd for `go test`: a server on a free loopback port, an aws.Config
// pointed at it, snapshots to reset it between tests, and a stop when the test (or TestMain's
// run) ends.
//
//	srv := ddbdtest.Start(t)                      // ddbd --in-memory --admin --port 0
//	db := dynamodb.NewFromConfig(srv.Config())
//	... create tables, put items ...
//	srv.Snapshot(t, "seed")
//	t.Run("x", func(t *testing.T) { srv.Restore(t, "seed"); ... })
//
// Start's args are ddbd's: Start(t, "--seed", "template.yaml", "--seed-param", "Stage=test") starts
// from the tables a CloudFormation/SAM template, CDK's cdk.out or `terraform show -json` declares
// (docs/seeding.md). The binary is $DDBD_BIN, else ddbd on PATH. ddbd picks the port itself (--port 0) and says it in
// its "listening on" line, so parallel test binaries never race for one; Start returns once the
// server answers GET / with 200.
package ddbdtest

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Server is a running ddbd.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	tally    *usageTally // DDBD_USAGE_SUMMARY=1: the run's figures (usage.go)
}

var listening = regexp.MustCompile(`listening on http://[^ ]*:(\d+)`)

// Start runs ddbd with --in-memory --admin and args, and stops it when t ends.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	bin := os.Getenv("DDBD_BIN")
	if bin == "" {
		bin = "ddbd"
	}
	argv := append([]string{"--in-memory", "--admin", "--host", "127.0.0.1", "--port", "0"}, args...)
	cmd := exec.Command(bin, argv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatalf("ddbd: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("ddbd did not start: %v", err)
	}
	s := &Server{cmd: cmd}
	t.Cleanup(s.Stop)
	port, output := readPort(stderr)
	if port == "" {
		s.Stop()
		t.Fatalf("ddbd did not start:\n%s", output)
	}
	s.Endpoint = "http://127.0.0.1:" + port
	if err := s.waitReady(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if usageWanted() || usageJSONPath() != "" { // before the stop (cleanups run last registered first)
		s.tally = &usageTally{rows: map[string]usageRow{}}
		t.Cleanup(func() {
			if usageJSONPath() != "" {
				if err := os.WriteFile(usageJSONPath(), s.UsageJSON(t), 0o644); err != nil {
					t.Errorf("ddbdtest: DDBD_USAGE_JSON: %v", err)
				}
			}
			if usageWanted() {
				fmt.Fprint(os.Stderr, s.UsageSummary(t))
			}
		})
	}
	return s
}

// readPort reads ddbd's output up to its "listening on" line, then keeps draining it in the
// background (a full pipe would block the server's log writes).
func readPort(r io.Reader) (port, output string) {
	lines := bufio.NewScanner(r)
	var seen strings.Builder
	for lines.Scan() {
		seen.WriteString(lines.Text() + "\n")
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, r)
			return m[1], ""
		}
	}
	return "", seen.String()
}

func (s *Server) waitReady(timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if res, err := http.Get(s.Endpoint + "/"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("ddbd at %s did not answer GET / within %v", s.Endpoint, timeout)
}

// Config is an aws.Config for the server: any credentials do, the region is us-east-1.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		EndpointResolverWithOptions: aws.EndpointResolverWithOptionsFunc(
			func(service, region string, options ...interface{}) (aws.Endpoint, error) {
				return aws.Endpoint{URL: s.Endpoint, HostnameImmutable: true}, nil
			}),
	}
}

// Snapshot saves the whole store under name (docs/admin.md).
func (s *Server) Snapshot(t testing.TB, name string) {
	t.Helper()
	s.admin(t, "/ddbd/snapshots", `{"name":"`+name+`"}`)
}

// Restore makes the store what it was when name was saved, in a few milliseconds.
func (s *Server) Restore(t testing.TB, name string) {
	t.Helper()
	if s.tally != nil { // the restore starts the tables' figures again: keep what came before
		s.tally.add(s.Usage(t))
	}
	s.admin(t, "/ddbd/snapshots/"+name+"/restore", "")
	if s.tally != nil {
		s.tally.rebase(s.Usage(t))
	}
}

// Faults injects faults (docs/testing.md, "Injected faults"): faults is the JSON list of
// POST /ddbd/faults, e.g. `[{"operation":"PutItem","table":"Orders","error":"InternalServerError","count":3}]`.
// They are the whole server's until ClearFaults.
func (s *Server) Faults(t testing.TB, faults string) {
	t.Helper()
	s.admin(t, "/ddbd/faults", `{"faults":`+faults+`}`)
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults(t testing.TB) {
	t.Helper()
	s.send(t, http.MethodDelete, "/ddbd/faults", "")
}

// Consistency makes table eventually consistent as DynamoDB can be (docs/testing.md, "Eventual
// consistency"): its GSIs see a write indexLag ms late ("500", or "100-900" drawn per write), its
// eventually consistent reads may miss writes younger than staleReadsMs; the same seed, the same
// draws. Consistency(t, table, "0", 0, 0) turns it off.
func (s *Server) Consistency(t testing.TB, table, indexLag string, staleReadsMs, seed uint64) {
	t.Helper()
	s.admin(t, "/ddbd/consistency", fmt.Sprintf(`{"table":%q,"indexLagMs":%q,"staleReadsMs":%d,"seed":%d}`,
		table, indexLag, staleReadsMs, seed))
}

func (s *Server) admin(t testing.TB, path, body string) {
	t.Helper()
	s.send(t, http.MethodPost, path, body)
}

func (s *Server) send(t testing.TB, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, s.Endpoint+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("ddbd %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("ddbd %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(res.Body)
		t.Fatalf("ddbd %s: %d %s", path, res.StatusCode, msg)
	}
}

// Stop ends the server with SIGTERM (a clean shutdown); Start's cleanup calls it.
func (s *Server) Stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
	}
}
