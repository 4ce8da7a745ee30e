package wsproxy

// BenchmarkStreamProxy measures the session stream path, in one run on loopback, against
// baselines measured in the same run: raw loopback TCP, and Debian's websockify (the usual
// noVNC relay) in front of the same sink. Run it with `make bench` (or
// go test -run '^$' -bench StreamProxy -benchtime 1x ./internal/wsproxy/).
//
// Printed: throughput in both directions, the ratio to websockify and to raw TCP, the round
// trip of 64-byte messages (p50, p99) and what the proxies add to it, the memory each idle
// connection costs the two proxies together, and a check that an orderly close loses nothing.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const (
	benchMsg = 64 << 10 // websocket message size browsers' side sends
)

// benchTarget is a TCP server standing in for a VNC server.
type benchTarget struct {
	lis  net.Listener
	mode string // "sink": count until want, then signal; "source": send want bytes, close; "echo"; "hold"
	want int64
	done chan time.Time
	mu   sync.Mutex
	held []net.Conn
}

func startTarget(b *testing.B, mode string, want int64) *benchTarget {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	t := &benchTarget{lis: lis, mode: mode, want: want, done: make(chan time.Time, 4)}
	b.Cleanup(func() {
		lis.Close()
		t.mu.Lock()
		for _, c := range t.held {
			c.Close()
		}
		t.mu.Unlock()
	})
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			switch mode {
			case "hold":
				t.mu.Lock()
				t.held = append(t.held, c)
				t.mu.Unlock()
			default:
				go t.serve(c)
			}
		}
	}()
	return t
}

func (t *benchTarget) addr() string { return t.lis.Addr().String() }

func (t *benchTarget) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 256<<10)
	switch t.mode {
	case "sink":
		var n int64
		for {
			k, err := c.Read(buf)
			n += int64(k)
			if n >= t.want {
				t.done <- time.Now()
				io.Copy(io.Discard, c)
				return
			}
			if err != nil {
				return
			}
		}
	case "source":
		for sent := int64(0); sent < t.want; {
			k := min(int64(len(buf)), t.want-sent)
			if _, err := c.Write(buf[:k]); err != nil {
				return
			}
			sent += k
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		io.Copy(io.Discard, c)
	case "echo":
		for {
			k, err := c.Read(buf)
			if k > 0 {
				if _, werr := c.Write(buf[:k]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
}

// path is one way to reach a target: raw TCP, websockify, or the Hotdesk chain.
type path struct {
	name string
	// open returns a client connection to target, as bytes (raw) or a websocket.
	openRaw func(target string) (net.Conn, error)
	openWS  func(target string) (*websocket.Conn, error)
}

var benchDialer = websocket.Dialer{Subprotocols: []string{"binary"}, ReadBufferSize: 256 << 10, WriteBufferSize: benchMsg + 16}

func upload(b *testing.B, p path, n int64) float64 {
	sink := startTarget(b, "sink", n)
	chunk := make([]byte, benchMsg)
	start := time.Now()
	if p.openRaw != nil {
		c, err := p.openRaw(sink.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		big := make([]byte, 256<<10)
		for sent := int64(0); sent < n; sent += int64(len(big)) {
			if _, err := c.Write(big); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		ws, err := p.openWS(sink.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		// The "browser" sends prebuilt masked frames, so that, like the raw TCP client, it
		// spends nothing per byte: the proxies' work is what is measured.
		frames := maskedFrames(chunk, 4)
		nc := ws.UnderlyingConn()
		start = time.Now()
		for sent := int64(0); sent < n; sent += int64(len(chunk)) * 4 {
			if _, err := nc.Write(frames); err != nil {
				b.Fatal(err)
			}
		}
	}
	select {
	case end := <-sink.done:
		return float64(n) / end.Sub(start).Seconds()
	case <-time.After(5 * time.Minute):
		b.Fatalf("%s: upload never completed", p.name)
	}
	return 0
}

func download(b *testing.B, p path, n int64) float64 {
	src := startTarget(b, "source", n)
	start := time.Now()
	var got int64
	if p.openRaw != nil {
		c, err := p.openRaw(src.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		buf := make([]byte, 256<<10)
		for got < n {
			k, err := c.Read(buf)
			got += int64(k)
			if err != nil {
				break
			}
		}
	} else {
		ws, err := p.openWS(src.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		buf := make([]byte, 256<<10)
		for got < n {
			_, r, err := ws.NextReader()
			if err != nil {
				break
			}
			for {
				k, err := r.Read(buf)
				got += int64(k)
				if err != nil {
					break
				}
			}
		}
	}
	if got < n && p.name != "websockify" {
		b.Fatalf("%s: download got %d of %d bytes", p.name, got, n)
	}
	if got < n {
		// websockify sometimes drops the tail of the stream when the target closes.
		fmt.Printf("(%s lost %d of %d bytes at the end of a download)\n", p.name, n-got, n)
	}
	return float64(got) / time.Since(start).Seconds()
}

// maskedFrames returns k client frames (masked, as browsers send) carrying payload each.
func maskedFrames(payload []byte, k int) []byte {
	var out []byte
	for i := 0; i < k; i++ {
		var hb [10]byte
		h := frameHeader(&hb, opBinary, len(payload))
		h[1] |= 0x80 // masked
		key := [4]byte{0x12, 0x34, 0x56, byte(i)}
		out = append(out, h...)
		out = append(out, key[:]...)
		for j, c := range payload {
			out = append(out, c^key[j&3])
		}
	}
	return out
}

// roundTrips measures 64-byte echo round trips: p50 and p99.
func roundTrips(b *testing.B, p path, count int) (p50, p99 time.Duration) {
	echo := startTarget(b, "echo", 0)
	msg := make([]byte, 64)
	rtts := make([]time.Duration, 0, count)
	if p.openRaw != nil {
		c, err := p.openRaw(echo.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		in := make([]byte, 64)
		for i := 0; i < count+500; i++ {
			t0 := time.Now()
			c.Write(msg)
			if _, err := io.ReadFull(c, in); err != nil {
				b.Fatal(err)
			}
			if i >= 500 {
				rtts = append(rtts, time.Since(t0))
			}
		}
	} else {
		ws, err := p.openWS(echo.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		r := &wsReader{ws: ws}
		in := make([]byte, 64)
		for i := 0; i < count+500; i++ {
			t0 := time.Now()
			ws.WriteMessage(websocket.BinaryMessage, msg)
			if _, err := io.ReadFull(r, in); err != nil {
				b.Fatal(err)
			}
			if i >= 500 {
				rtts = append(rtts, time.Since(t0))
			}
		}
	}
	slices.Sort(rtts)
	return rtts[len(rtts)/2], rtts[len(rtts)*99/100]
}

// startWebsockify runs Debian's websockify in front of target and returns its ws URL.
func startWebsockify(target string) (string, func(), error) {
	exe, err := exec.LookPath("websockify")
	if err != nil {
		return "", nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := lis.Addr().String()
	lis.Close()
	cmd := exec.Command(exe, addr, target)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "ws://" + addr + "/", stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", nil, errors.New("websockify did not start")
}

func BenchmarkStreamProxy(b *testing.B) {
	if b.N > 1 {
		b.Skip("one run measures everything; use -benchtime 1x")
	}
	c := newChain(b)
	var stops []func()
	stopAll := func() {
		for _, s := range stops {
			s()
		}
		stops = nil
	}
	defer stopAll()
	raw := path{name: "raw TCP", openRaw: func(target string) (net.Conn, error) { return net.Dial("tcp", target) }}
	hotdesk := path{name: "hotdesk", openWS: func(target string) (*websocket.Conn, error) {
		sid := fmt.Sprintf("%08x-0000-0000-0000-000000000000", time.Now().UnixNano()&0xffffffff)
		c.addSession(sid, target, "")
		tok := c.token(b, sid, false)
		ws, _, err := benchDialer.Dial("ws"+strings.TrimPrefix(c.frontSrv.URL, "http")+"/connect/"+sid+"/ws?token="+tok, http.Header{"Origin": {testOrigin}})
		return ws, err
	}}
	websockify := path{name: "websockify", openWS: func(target string) (*websocket.Conn, error) {
		u, stop, err := startWebsockify(target)
		if err != nil {
			return nil, err
		}
		ws, _, err := benchDialer.Dial(u, nil)
		if err != nil {
			stop()
			return nil, err
		}
		ws.SetCloseHandler(nil)
		stops = append(stops, stop)
		return ws, err
	}}
	if _, err := exec.LookPath("websockify"); err != nil {
		b.Skip("websockify is not installed (apt-get install websockify; make deps does)")
	}

	const (
		nRaw   = 4 << 30
		nChain = 2 << 30
		nWsfy  = 512 << 20
	)
	// Five interleaved rounds; each path keeps its best, which tames a busy machine's noise.
	type result struct{ up, down float64 }
	res := map[string]result{}
	for round := 0; round < 5; round++ {
		for _, p := range []struct {
			p path
			n int64
		}{{raw, nRaw}, {websockify, nWsfy}, {hotdesk, nChain}} {
			r := res[p.p.name]
			r.up = max(r.up, upload(b, p.p, p.n))
			r.down = max(r.down, download(b, p.p, p.n))
			res[p.p.name] = r
			stopAll()
		}
	}
	rtt := map[string][2]time.Duration{}
	for _, p := range []path{raw, websockify, hotdesk} {
		p50, p99 := roundTrips(b, p, 20000)
		rtt[p.name] = [2]time.Duration{p50, p99}
		stopAll()
	}
	perConn := idleMemory(b, c, 1000)
	lost := orderlyCloseLoss(b, hotdesk, 64<<20)

	mb := func(v float64) string { return fmt.Sprintf("%8.0f MB/s", v/1e6) }
	out := &strings.Builder{}
	fmt.Fprintf(out, "\nstream proxy chain (server proxy → agent proxy → TCP), loopback, %d CPUs, one run\n", runtime.NumCPU())
	fmt.Fprintf(out, "%-12s %16s %16s %12s %12s\n", "path", "browser→server", "server→browser", "RTT p50", "RTT p99")
	for _, name := range []string{"raw TCP", "websockify", "hotdesk"} {
		fmt.Fprintf(out, "%-12s %16s %16s %12s %12s\n", name, mb(res[name].up), mb(res[name].down), rtt[name][0], rtt[name][1])
	}
	h, w, r := res["hotdesk"], res["websockify"], res["raw TCP"]
	added := rtt["hotdesk"][0] - rtt["raw TCP"][0]
	fmt.Fprintf(out, "server→browser: %.2f× websockify (want ≥ 1.2), %.2f× raw TCP (want ≥ 0.3)\n", h.down/w.down, h.down/r.down)
	fmt.Fprintf(out, "browser→server: %.2f× websockify (want ≥ 2.5), %.2f× raw TCP (want ≥ 0.3)\n", h.up/w.up, h.up/r.up)
	fmt.Fprintf(out, "added round trip, 64-byte messages: p50 %s (want ≤ 100µs); websockify adds %s\n", added, rtt["websockify"][0]-rtt["raw TCP"][0])
	fmt.Fprintf(out, "memory per idle connection (both proxies): %.1f KiB (want ≤ 64 KiB)\n", perConn/1024)
	fmt.Fprintf(out, "orderly close: %d bytes lost of 64 MiB each way (want 0)\n", lost)
	fmt.Fprint(os.Stdout, out.String())
	b.ReportMetric(h.down/w.down, "down×websockify")
	b.ReportMetric(h.up/w.up, "up×websockify")
	b.ReportMetric(h.down/r.down, "down×raw")
	b.ReportMetric(h.up/r.up, "up×raw")
	b.ReportMetric(float64(added.Microseconds()), "added-µs-p50")
	b.ReportMetric(perConn/1024, "KiB/idle-conn")
	if h.down < 1.2*w.down || h.up < 2.5*w.up || h.down < 0.3*r.down || h.up < 0.3*r.up || added > 100*time.Microsecond ||
		perConn > 64<<10 || lost != 0 {
		b.Error("a target was missed (see above)")
	}
}

// idleMemory opens n idle connections through the chain and returns the heap and stack the
// process holds per connection. The clients and the target are minimal (bare sockets), so
// nearly all of it is the two proxies'.
func idleMemory(b *testing.B, c *chain, n int) float64 {
	hold := startTarget(b, "hold", 0)
	type conn struct {
		sid string
		tok string
	}
	toks := make([]conn, n)
	for i := range toks {
		sid := fmt.Sprintf("%08x-1111-0000-0000-000000000000", i)
		c.addSession(sid, hold.addr(), "")
		toks[i] = conn{sid, c.token(b, sid, false)}
	}
	front := strings.TrimPrefix(c.frontSrv.URL, "http://")
	// Warm up pools and code paths, then measure.
	measure := func() uint64 {
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse + ms.StackInuse
	}
	before := measure()
	conns := make([]net.Conn, 0, n)
	for _, t := range toks {
		nc, err := net.Dial("tcp", front)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(nc, "GET /connect/%s/ws?token=%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: %s\r\n\r\n", t.sid, t.tok, front, testOrigin)
		br := bufio.NewReaderSize(nc, 256)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
			b.Fatalf("idle connection: %v %v", err, resp)
		}
		conns = append(conns, nc)
	}
	deadline := time.Now().Add(30 * time.Second)
	for c.back.Conns("") < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	after := measure()
	for _, nc := range conns {
		nc.Close()
	}
	return float64(after-before) / float64(n)
}

// orderlyCloseLoss sends n bytes each way through the chain, closing in order after each, and
// returns how many bytes did not arrive.
func orderlyCloseLoss(b *testing.B, p path, n int64) int64 {
	var lost int64
	sink := startTarget(b, "sink", n)
	ws, err := p.openWS(sink.addr())
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 100_000)
	for sent := int64(0); sent < n; {
		k := min(int64(len(chunk)), n-sent)
		ws.WriteMessage(websocket.BinaryMessage, chunk[:k])
		sent += k
	}
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	select {
	case <-sink.done:
	case <-time.After(time.Minute):
		lost += n // the sink signals only once it has all n
	}
	ws.Close()

	src := startTarget(b, "source", n)
	ws, err = p.openWS(src.addr())
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	var got int64
	for {
		_, r, err := ws.NextReader()
		if err != nil {
			break
		}
		k, _ := io.Copy(io.Discard, r)
		got += k
	}
	return lost + (n - got)
}
