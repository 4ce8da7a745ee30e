package dashboard

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serve(t *testing.T, method, path string) (*http.Response, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/v1/", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "api") }))
	mux.HandleFunc("GET /connect/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "connect page") })
	Routes(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Result(), rec.Body.String()
}

// Every dashboard path answers with the app (the browser routes), locked down by CSP; files that
// do not exist are 404s, and the API and the connect page keep their own routes.
func TestDashboardRoutes(t *testing.T) {
	want := "built without the web dashboard" // the stand-in page of a binary built without the dashboard
	if built() {
		want = `<div id="app">`
	}
	for _, p := range []string{"/", "/login", "/admin/agents", "/sessions/0b8f6a5e-7c1e-4f33-9d7e-3f1b1f6f2c11"} {
		resp, body := serve(t, "GET", p)
		if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(body), strings.ToLower(want)) {
			t.Errorf("GET %s: %d, body without %q:\n%.300s", p, resp.StatusCode, want, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", p, csp)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache (the app must pick up new builds)", p, cc)
		}
	}
	for _, p := range []string{"/favicon.ico", "/static/nope.js", "/static/"} {
		if resp, _ := serve(t, "GET", p); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := serve(t, "POST", "/admin/agents"); resp.StatusCode != 405 {
		t.Errorf("POST /admin/agents: %d, want 405", resp.StatusCode)
	}
	if _, body := serve(t, "GET", "/v1/workspaces"); body != "api" {
		t.Errorf("GET /v1/workspaces reached %q, want the API", body)
	}
	if _, body := serve(t, "GET", "/connect/abc"); body != "connect page" {
		t.Errorf("GET /connect/abc reached %q, want the connect page", body)
	}
}

// The built app's hashed assets are served and cached for good.
func TestDashboardAssets(t *testing.T) {
	if !built() {
		t.Skip("the dashboard is not built into this binary (make web)")
	}
	_, index := serve(t, "GET", "/")
	i := strings.Index(index, `src="/static/`)
	if i < 0 {
		t.Fatalf("index.html names no script under /static/:\n%s", index)
	}
	src := index[i+len(`src="`):]
	src = src[:strings.IndexByte(src, '"')]
	resp, body := serve(t, "GET", src)
	if resp.StatusCode != 200 || len(body) < 1000 {
		t.Fatalf("GET %s: %d, %d bytes", src, resp.StatusCode, len(body))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("GET %s: Content-Type %q", src, ct)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("GET %s: Cache-Control %q", src, cc)
	}
}

// built reports whether this test binary carries the dashboard (make web ran before the build).
func built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}
