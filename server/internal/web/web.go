// Package web serves the browser pages: the connect page (GET /connect/{session_id}), whose
// files are embedded here, and noVNC (GET /novnc/...), served from the system's novnc package
// (Debian's /usr/share/novnc by default), which the page runs.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

//go:embed connect
var files embed.FS

// Routes mounts the pages on mux. noVNCDir is where noVNC's files are.
func Routes(mux *http.ServeMux, noVNCDir string) {
	assets, _ := fs.Sub(files, "connect")
	page, _ := fs.ReadFile(assets, "index.html")
	mux.HandleFunc("GET /connect/{session_id}", func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		// The page talks to this server and to session websockets (possibly an agent's, in
		// direct-to-agent zones); it runs only its own scripts and noVNC's.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; "+
			"img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("Referrer-Policy", "no-referrer") // the URL may carry a connect token
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		_, _ = w.Write(page)
	})
	static := http.StripPrefix("/assets/connect/", http.FileServer(onlyFiles{http.FS(assets)}))
	mux.Handle("GET /assets/connect/", noStore(static))
	mux.Handle("GET /novnc/", noVNC(noVNCDir))
}

func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// noVNC serves the noVNC directory, or says how to install it.
func noVNC(dir string) http.Handler {
	files := http.StripPrefix("/novnc/", http.FileServer(onlyFiles{http.Dir(dir)}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(filepath.Join(dir, "core", "rfb.js")); err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"code":503,"message":"noVNC is not installed on this server: apt-get install novnc (or set --novnc-dir)"}` + "\n"))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// onlyFiles hides directory listings.
type onlyFiles struct{ fs http.FileSystem }

func (o onlyFiles) Open(name string) (http.File, error) {
	f, err := o.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, os.ErrNotExist
	}
	return f, nil
}
