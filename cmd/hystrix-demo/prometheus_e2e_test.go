package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/exporters/hystrixprom"
)

// TestPrometheusScrapesDemo runs the demo and a real Prometheus server
// (Debian's package; .ci/install-prometheus.sh installs it) that scrapes
// the demo's /metrics every second, and waits until Prometheus's query API
// returns the demo's commands with calls counted. It then runs every query
// of the Grafana dashboard against that server, those of a ramping circuit
// last: they have data only once the demo's ramp has begun.
func TestPrometheusScrapesDemo(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("no prometheus binary on PATH; run .ci/install-prometheus.sh")
		}
		t.Fatal("CI is set and there is no prometheus binary on PATH: .ci/install-prometheus.sh should have installed it")
	}
	deadline := time.Now().Add(30 * time.Second)

	// The run lasts until its circuit on the ramp-up recovery has ramped:
	// that begins a sleep window into the recovered phase, some 21s in,
	// and goes on for a few stages of 1.5s.
	cfg := testConfig(30 * time.Second)
	start := time.Now()
	sched := newSchedule(start, cfg.Duration)
	r := startRun(t, cfg)
	base := strings.TrimSuffix(r.streamURL(t), streamPath)

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}

	// The demo serves the exporter's metrics itself.
	body := get(t, client, base+metricsPath)
	for _, want := range []string{"# TYPE hystrix_calls_total counter", "hystrix_circuit_state{", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %q", metricsPath, want)
		}
	}

	prom := startPrometheus(t, bin, strings.TrimPrefix(base, "http://"))

	// Every command appears with calls counted once Prometheus has scraped.
	want := map[string]bool{}
	for _, c := range demoCommands(time.Minute) {
		want[c.name] = true
	}
	const callsQuery = `sum by (command) (hystrix_calls_total{job="hystrix-demo"})`
	var last []promSample
	for {
		res, err := query(client, prom.url, callsQuery)
		if err == nil {
			last = res
			seen := 0
			for _, s := range res {
				if want[s.Metric["command"]] && s.Value > 0 {
					seen++
				}
			}
			if seen == len(want) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus did not return calls for %v within the deadline: last answer %v, error %v\nprometheus output:\n%s",
				want, last, err, prom.out.String())
		}
		if prom.exited() {
			t.Fatalf("prometheus exited:\n%s", prom.out.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("Prometheus has %v", last)

	// The gauges read at scrape time arrive too: one state per command.
	res, err := query(client, prom.url, `sum by (command) (hystrix_circuit_state{job="hystrix-demo"})`)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res {
		if want[s.Metric["command"]] && s.Value != 1 {
			t.Errorf("%s: the one-hot states add up to %v, want 1", s.Metric["command"], s.Value)
		}
	}
	if len(res) < len(want) {
		t.Errorf("circuit state for %d commands, want %d: %v", len(res), len(want), res)
	}

	// Every query of the dashboard is valid PromQL to a real server and,
	// once two scrapes are in for rates to have data, returns series. The
	// admitted rate has series only while a circuit ramps: it is waited for
	// last, until shortly before the run ends and the demo's series go
	// stale.
	var rampExprs []string
	for _, e := range dashboardExprs(t) {
		if strings.Contains(e, hystrixprom.CircuitAdmittedPerMinute) {
			rampExprs = append(rampExprs, e)
			continue
		}
		if strings.Contains(e, hystrixprom.CircuitSlowCallPercent) || strings.Contains(e, hystrixprom.CircuitThrottlePercent) {
			// No demo command is on the slow-call rate or throttling, so
			// these have no series here: they must still be valid PromQL.
			if _, err := query(client, prom.url, e); err != nil {
				t.Errorf("dashboard query %s: %v", e, err)
			}
			continue
		}
		for {
			res, err := query(client, prom.url, e)
			if err != nil {
				t.Errorf("dashboard query %s: %v", e, err)
				break
			}
			if len(res) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("dashboard query %s: no data within the deadline", e)
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	if len(rampExprs) == 0 {
		t.Errorf("no dashboard query shows %s", hystrixprom.CircuitAdmittedPerMinute)
	}
	ramping := map[string]bool{}
	for _, c := range demoCommands(cfg.Duration) {
		ramping[c.name] = c.ramps()
	}
	rampDeadline := start.Add(sched.ends[numPhases-1] - time.Second)
	for _, e := range rampExprs {
		for {
			res, err := query(client, prom.url, e)
			if err != nil {
				t.Errorf("dashboard query %s: %v", e, err)
				break
			}
			if len(res) > 0 {
				t.Logf("%s at %v: %v", e, time.Since(start).Round(time.Millisecond), res)
				for _, s := range res {
					if c := s.Metric["command"]; !ramping[c] || s.Value < 60 {
						t.Errorf("%s: %s ramps at %v/min; want a ramping command, from 60/min up", e, c, s.Value)
					}
				}
				break
			}
			if time.Now().After(rampDeadline) {
				t.Errorf("dashboard query %s: no data within the run, which should have ramped from %v on",
					e, sched.begins(phaseRecovered))
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// prometheusProc is a prometheus server started by a test.
type prometheusProc struct {
	url  string
	out  *syncBuffer
	done chan struct{}
}

func (p *prometheusProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// startPrometheus starts prometheus on a free loopback port, scraping
// target's /metrics every second, and stops it when the test ends. A port
// taken between choosing and binding it makes prometheus exit at once; the
// next port is tried then.
func startPrometheus(t *testing.T, bin, target string) *prometheusProc {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	err := os.WriteFile(config, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: hystrix-demo
    metrics_path: %s
    static_configs:
      - targets: [%q]
`, metricsPath, target)), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		p := &prometheusProc{url: "http://" + addr, out: new(syncBuffer), done: make(chan struct{})}
		cmd := exec.Command(bin,
			"--config.file="+config,
			"--storage.tsdb.path="+filepath.Join(dir, fmt.Sprintf("data%d", attempt)),
			"--web.listen-address="+addr,
			"--log.level=warn",
		)
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = p.out, p.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer close(p.done)
			_ = cmd.Wait()
		}()
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case <-p.done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-p.done
			}
		})
		if waitReady(p) {
			return p
		}
		if attempt == 3 {
			t.Fatalf("prometheus did not become ready on %s:\n%s", addr, p.out.String())
		}
		t.Logf("prometheus on %s not ready, trying another port:\n%s", addr, p.out.String())
	}
}

// waitReady waits up to 15s for prometheus's /-/ready, and gives up at
// once if prometheus exits.
func waitReady(p *prometheusProc) bool {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if p.exited() {
			return false
		}
		resp, err := client.Get(p.url + "/-/ready")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(t *testing.T, client *http.Client, u string) string {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	return string(b)
}

// promSample is one series of an instant vector.
type promSample struct {
	Metric map[string]string
	Value  float64
}

// query runs an instant query; an error means Prometheus refused it or
// could not be reached.
func query(client *http.Client, base, q string) ([]promSample, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(q), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string            `json:"resultType"`
			Result     []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("%s: %w", resp.Status, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", resp.Status, body.Error)
	}
	if body.Data.ResultType != "vector" {
		return nil, nil
	}
	out := make([]promSample, 0, len(body.Data.Result))
	for _, raw := range body.Data.Result {
		var s struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("sample value %v: %w", s.Value[1], err)
		}
		out = append(out, promSample{Metric: s.Metric, Value: v})
	}
	return out, nil
}

// dashboardExprs returns the panel queries of the Grafana dashboard with
// its variables replaced as Grafana would for "All" and a short range.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "grafana", "hystrix-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	vars := strings.NewReplacer("$__rate_interval", "1m", "$command", ".*", "$job", "hystrix-demo")
	var out []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			if tg.Expr != "" {
				out = append(out, vars.Replace(tg.Expr))
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the dashboard has no queries")
	}
	return out
}
