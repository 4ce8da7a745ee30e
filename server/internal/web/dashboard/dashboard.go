// Package dashboard serves the web dashboard: the Vite build of clients/web, embedded into the
// server binary (make web writes it into dist/). Every dashboard path answers with the app's
// index.html, which routes in the browser; hashed assets under /static/ are cached for good.
// A binary built without the dashboard answers / with a page saying how to build it.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// csp lets the app run only its own scripts and talk only to this server; workspace
// thumbnails may come from anywhere over http(s) or be data: URLs.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// Routes mounts the dashboard on mux: GET /static/... and every other GET path not taken by a
// more specific route.
func Routes(mux *http.ServeMux) {
	files, _ := fs.Sub(dist, "dist")
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		index = []byte(notBuilt)
	}
	static := http.FileServer(http.FS(files))
	mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable") // names carry content hashes
		h.Set("X-Content-Type-Options", "nosniff")
		static.ServeHTTP(w, r)
	})
	// "/" with no method: "GET /" would conflict with the gateway's "/v1/" (any method).
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// Paths with an extension are files, and there are no others: a plain 404, not the app.
		if last := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]; strings.Contains(last, ".") {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		_, _ = w.Write(index)
	})
}

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hotdesk</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Hotdesk</h1>
<p>The API is up. gRPC and REST share this address.</p>
<p>This server binary was built without the web dashboard: run <code>make web</code> (or <code>make build</code>) and rebuild.</p>
<ul>
<li><a href="/openapi.json">OpenAPI document</a> of the REST facade (<code>/v1/...</code>)</li>
<li><a href="/api/__healthcheck">Health check</a> (database included) · <a href="/metrics">Prometheus metrics</a></li>
</ul>
<p>Sign in with <code>POST /v1/auth:login</code> and send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
</body></html>`
