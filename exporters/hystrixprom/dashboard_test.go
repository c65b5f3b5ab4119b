package hystrixprom

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dashboardPath is the Grafana dashboard built on this package's metrics.
var dashboardPath = filepath.Join("..", "..", "grafana", "hystrix-dashboard.json")

var (
	metricNameRE = regexp.MustCompile(`\bhystrix_[a-z_]+\b`)
	// labelMatcherRE finds the matchers of the labels whose values the
	// exporter fixes, such as outcome=~"failure|timeout".
	labelMatcherRE = regexp.MustCompile(`\b(outcome|state|result)\s*(=~|!~|=|!=)\s*"([^"]*)"`)
)

// dashboardQueries returns every PromQL query in the dashboard, found under
// the keys that Grafana reads them from: "expr" in panel targets and
// "query" or "definition" in template variables.
func dashboardQueries(t *testing.T) (map[string]any, []string) {
	t.Helper()
	b, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash map[string]any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardPath, err)
	}
	var queries []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "expr" || k == "query" || k == "definition") && strings.Contains(s, "hystrix_") {
					queries = append(queries, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(dash)
	if len(queries) == 0 {
		t.Fatal("the dashboard has no hystrix queries")
	}
	return dash, queries
}

// TestDashboardUsesExposedMetrics checks that every metric the dashboard
// queries is one the exporter exposes, with label values it produces, and
// that every metric the exporter exposes is shown.
func TestDashboardUsesExposedMetrics(t *testing.T) {
	_, queries := dashboardQueries(t)
	exposed := map[string]bool{}
	for _, n := range MetricNames {
		exposed[n] = true
	}
	for _, h := range []string{RunDurationSeconds, TotalDurationSeconds} {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			exposed[h+suffix] = true
		}
	}
	allowed := map[string][]string{
		"outcome": Outcomes,
		"state":   states[:],
		"result":  {"success", "failure"},
	}
	used := map[string]bool{}
	for _, q := range queries {
		for _, name := range metricNameRE.FindAllString(q, -1) {
			if !exposed[name] {
				t.Errorf("the dashboard queries %s, which the exporter does not expose, in %s", name, q)
			}
			used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")] = true
		}
		for _, m := range labelMatcherRE.FindAllStringSubmatch(q, -1) {
			for _, v := range strings.Split(m[3], "|") {
				if !slices.Contains(allowed[m[1]], v) {
					t.Errorf("the dashboard matches %s value %q, which the exporter never sets, in %s", m[1], v, q)
				}
			}
		}
	}
	for _, n := range MetricNames {
		if !used[n] {
			t.Errorf("the dashboard does not show %s", n)
		}
	}
}

// TestDashboardStructure checks what Grafana needs to import the
// dashboard anywhere: the data source as a variable, and the panels the
// README promises.
func TestDashboardStructure(t *testing.T) {
	dash, _ := dashboardQueries(t)
	if dash["uid"] == "" || dash["title"] == "" {
		t.Error("the dashboard has no uid or title")
	}
	vars := map[string]map[string]any{}
	for _, v := range dash["templating"].(map[string]any)["list"].([]any) {
		v := v.(map[string]any)
		vars[v["name"].(string)] = v
	}
	if ds := vars["datasource"]; ds == nil || ds["type"] != "datasource" || ds["query"] != "prometheus" {
		t.Errorf("no datasource variable of type prometheus: %v", ds)
	}
	if vars["command"] == nil {
		t.Error("no command variable")
	}

	titles := map[string]bool{}
	ids := map[float64]bool{}
	for _, p := range dash["panels"].([]any) {
		p := p.(map[string]any)
		title, _ := p["title"].(string)
		titles[title] = true
		id, _ := p["id"].(float64)
		if ids[id] {
			t.Errorf("panel id %v used twice", id)
		}
		ids[id] = true
		grid := p["gridPos"].(map[string]any)
		if grid["x"].(float64)+grid["w"].(float64) > 24 {
			t.Errorf("panel %q is wider than the dashboard", title)
		}
		if p["type"] == "row" {
			continue
		}
		checkDatasource(t, title, p["datasource"])
		targets, _ := p["targets"].([]any)
		if len(targets) == 0 {
			t.Errorf("panel %q has no query", title)
		}
		for _, tg := range targets {
			tg := tg.(map[string]any)
			checkDatasource(t, title, tg["datasource"])
			expr, _ := tg["expr"].(string)
			if !strings.Contains(expr, `command=~"$command"`) {
				t.Errorf("panel %q: query ignores the command variable: %s", title, expr)
			}
		}
	}
	for _, want := range []string{"Request rate by outcome", "Error %", "Circuit state", "Concurrent executions", "p99 latency", "Limits"} {
		if !titles[want] {
			t.Errorf("no panel %q", want)
		}
	}
}

func checkDatasource(t *testing.T, panel string, ds any) {
	t.Helper()
	m, _ := ds.(map[string]any)
	if m == nil || m["uid"] != "${datasource}" {
		t.Errorf("panel %q: data source %v, want the ${datasource} variable", panel, ds)
	}
}
