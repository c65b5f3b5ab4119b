package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/exporters/hystrixprom"
	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// TestPrometheusScrapesDemo runs the demo and a real Prometheus server
// (Debian's package; .ci/install-prometheus.sh installs it) with native
// histograms enabled, which scrapes every second the demo's /metrics (job
// hystrix-demo, whose histograms are native too, so Prometheus stores them
// as native histograms) and a second exporter with classic buckets only
// (job hystrix-classic). It waits until Prometheus's query API returns the
// demo's commands with calls counted, checks that both kinds of histogram
// read a steady 61ms p99 within 10%, then runs every query of the Grafana
// dashboard for both jobs, those of a ramping circuit last: they have data
// only once the demo's ramp has begun.
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
	// The classic-only exporter is registered before the run makes its
	// circuits, so that it records them all.
	classicReg := prometheus.NewRegistry()
	classic := hystrixprom.MustRegister(classicReg)
	defer classic.Unregister()
	classicSrv := httptest.NewServer(promhttp.HandlerFor(classicReg, promhttp.HandlerOpts{}))
	defer classicSrv.Close()

	start := time.Now()
	sched := newSchedule(start, cfg.Duration)
	r := startRun(t, cfg)
	base := strings.TrimSuffix(r.streamURL(t), streamPath)
	probe := startLatencyProbe(8 * time.Second)
	defer probe.stop()

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

	prom := startPrometheus(t, bin, map[string]string{
		"hystrix-demo":    strings.TrimPrefix(base, "http://"),
		"hystrix-classic": strings.TrimPrefix(classicSrv.URL, "http://"),
	})

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

	checkProbeQuantiles(t, client, prom, probe, deadline)

	// Every query of the dashboard is valid PromQL to a real server and,
	// once two scrapes are in for rates to have data, returns series. The
	// admitted rate has series only while a circuit ramps: it is waited for
	// last, until shortly before the run ends and the demo's series go
	// stale.
	var rampExprs []string
	for _, e := range append(dashboardExprs(t, "hystrix-demo"), dashboardExprs(t, "hystrix-classic")...) {
		if strings.Contains(e, hystrixprom.CircuitAdmittedPerMinute) {
			rampExprs = append(rampExprs, e)
			continue
		}
		if strings.Contains(e, hystrixprom.CircuitSlowCallRatio) || strings.Contains(e, hystrixprom.CircuitThrottleRatio) {
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

// startPrometheus starts prometheus on a free loopback port with native
// histograms enabled, scraping each job's target's /metrics every second,
// and stops it when the test ends. A port taken between choosing and
// binding it makes prometheus exit at once; the next port is tried then.
func startPrometheus(t *testing.T, bin string, targets map[string]string) *prometheusProc {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	yml := `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
`
	for job, target := range targets {
		yml += fmt.Sprintf(`  - job_name: %s
    metrics_path: %s
    static_configs:
      - targets: [%q]
`, job, metricsPath, target)
	}
	err := os.WriteFile(config, []byte(yml), 0o644)
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
			// Prometheus 2.x stores a histogram that has native buckets as
			// a native histogram, and its classic buckets not at all.
			"--enable-feature=native-histograms",
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
// its variables replaced as Grafana would for "All", job and a short range.
func dashboardExprs(t *testing.T, job string) []string {
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
	vars := strings.NewReplacer("$__rate_interval", "1m", "$command", ".*", "$job", job)
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

// probeCommand is the command of the latency probe, whose runs take a
// steady 61ms, the latency whose p99 the earlier buckets read as 99ms.
const (
	probeCommand = "e2e_latency_probe"
	probeLatency = 61 * time.Millisecond
)

// latencyProbe calls probeCommand from two goroutines for a while, and
// keeps how long each run took.
type latencyProbe struct {
	mu   sync.Mutex
	runs []float64 // seconds
	done chan struct{}
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func startLatencyProbe(d time.Duration) *latencyProbe {
	p := &latencyProbe{done: make(chan struct{}), quit: make(chan struct{})}
	end := time.Now().Add(d)
	for range 2 {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for time.Now().Before(end) {
				select {
				case <-p.quit:
					return
				default:
				}
				_ = hystrix.Do(probeCommand, func() error {
					t0 := time.Now()
					time.Sleep(probeLatency)
					d := time.Since(t0)
					p.mu.Lock()
					p.runs = append(p.runs, d.Seconds())
					p.mu.Unlock()
					return nil
				}, nil)
			}
		}()
	}
	go func() {
		p.wg.Wait()
		close(p.done)
	}()
	return p
}

func (p *latencyProbe) stop() {
	p.once.Do(func() { close(p.quit) })
	<-p.done
}

// p99 is the nearest-rank 99th percentile of the runs so far.
func (p *latencyProbe) p99() (float64, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := append([]float64(nil), p.runs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0, 0
	}
	return s[int(math.Ceil(0.99*float64(len(s))))-1], len(s)
}

// checkProbeQuantiles waits for the probe to end and Prometheus to scrape
// its last runs, then checks that histogram_quantile over all of them, from
// the classic buckets and from the native histogram, is within 10% of the
// true p99.
func checkProbeQuantiles(t *testing.T, client *http.Client, prom *prometheusProc, probe *latencyProbe, deadline time.Time) {
	t.Helper()
	<-probe.done
	want, n := probe.p99()
	if n < 50 {
		t.Fatalf("the probe ran only %d times", n)
	}
	sel := fmt.Sprintf(`command=%q`, probeCommand)
	countQ := map[string]string{
		"classic": fmt.Sprintf(`sum(hystrix_run_duration_seconds_count{job="hystrix-classic",%s})`, sel),
		"native":  fmt.Sprintf(`sum(histogram_count(hystrix_run_duration_seconds{job="hystrix-demo",%s}))`, sel),
	}
	quantileQ := map[string]string{
		"classic": fmt.Sprintf(`histogram_quantile(0.99, sum by (le) (hystrix_run_duration_seconds_bucket{job="hystrix-classic",%s}))`, sel),
		"native":  fmt.Sprintf(`histogram_quantile(0.99, sum(hystrix_run_duration_seconds{job="hystrix-demo",%s}))`, sel),
	}
	for kind, q := range countQ {
		for {
			res, err := query(client, prom.url, q)
			if err == nil && len(res) == 1 && int(res[0].Value) == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: Prometheus holds %v runs of the probe (error %v), want %d", kind, res, err, n)
			}
			time.Sleep(250 * time.Millisecond)
		}
		res, err := query(client, prom.url, quantileQ[kind])
		if err != nil || len(res) != 1 {
			t.Fatalf("%s: %s: %v %v", kind, quantileQ[kind], res, err)
		}
		got := res[0].Value
		t.Logf("%s histogram: p99 %.2fms for a true %.2fms over %d runs", kind, got*1000, want*1000, n)
		if math.Abs(got-want)/want > 0.10 {
			t.Errorf("%s histogram: p99 %.2fms for a true %.2fms: more than 10%% off", kind, got*1000, want*1000)
		}
	}
	// The demo's job has native histograms only: its classic buckets were
	// not stored.
	res, err := query(client, prom.url, fmt.Sprintf(`hystrix_run_duration_seconds_bucket{job="hystrix-demo",%s}`, sel))
	if err != nil || len(res) != 0 {
		t.Errorf("the native job has classic buckets too: %v %v", res, err)
	}
}
