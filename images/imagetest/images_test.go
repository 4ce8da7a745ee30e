package imagetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hotdesk/hotdesk/internal/dockertest"
)

// TestMain makes sure a Docker engine answers (starting one with the project's script if
// needed), as the rest of the suite does.
func TestMain(m *testing.M) {
	cli, err := dockertest.Engine(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "image tests need a Docker engine:", err)
		os.Exit(1)
	}
	cli.Close()
	os.Exit(m.Run())
}

const desktopBackground = 0x2d4a63 // images/desktop/pcmanfm.conf: desktop_bg

// session is a running session container, started the way the agent starts one: the
// session's environment, the VNC port published on 127.0.0.1 only, a memory limit and CPU
// shares, labels.
type session struct {
	t       *testing.T
	id      string // container id
	addr    string // 127.0.0.1:port of the VNC server
	started time.Time
	greeted time.Duration // from `docker run` to the RFB greeting
}

func docker(args ...string) (string, error) {
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// start runs image with env (and extra docker run arguments) and waits for its greeting.
func start(t *testing.T, image string, env map[string]string, port int, extra ...string) *session {
	t.Helper()
	if port == 0 {
		port = 5901
	}
	args := []string{"run", "-d", "--label", "hotdesk.test=imagetest", "--memory", "2g", "--cpu-shares", "2048",
		"-p", fmt.Sprintf("127.0.0.1::%d", port)}
	for k, v := range env {
		args = append(args, "-e", k+"="+v)
	}
	args = append(args, extra...)
	args = append(args, image)
	s := &session{t: t, started: time.Now()}
	id, err := docker(args...)
	if err != nil {
		t.Fatal(err)
	}
	s.id = id
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := docker("logs", "--tail", "60", s.id)
			t.Logf("container log (last lines):\n%s", logs)
		}
		_, _ = docker("rm", "-f", s.id)
	})
	hostPort, err := docker("port", id, fmt.Sprintf("%d/tcp", port))
	if err != nil {
		t.Fatal(err)
	}
	hostPort = strings.Split(hostPort, "\n")[0]
	if !strings.HasPrefix(hostPort, "127.0.0.1:") {
		t.Fatalf("VNC port published on %q, want 127.0.0.1 only", hostPort)
	}
	s.addr = hostPort
	s.greeted = s.waitGreeting(10 * time.Second)
	return s
}

// waitGreeting polls the published port until the VNC server greets (Docker's proxy accepts
// connections before the server inside listens, then closes them).
func (s *session) waitGreeting(within time.Duration) time.Duration {
	s.t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(time.Second))
			var g string
			g, err = Greeting(c)
			c.Close()
			if err == nil {
				if g != "RFB 003.008\n" {
					s.t.Fatalf("greeting %q, want RFB 003.008", g)
				}
				return time.Since(s.started)
			}
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no RFB greeting on %s within %v: %v", s.addr, within, last)
	return 0
}

// stop runs `docker stop` (10 s grace) and returns how long it took and the exit code.
func (s *session) stop() (time.Duration, int) {
	s.t.Helper()
	t0 := time.Now()
	if _, err := docker("stop", "-t", "10", s.id); err != nil {
		s.t.Fatal(err)
	}
	d := time.Since(t0)
	code, err := docker("inspect", "-f", "{{.State.ExitCode}}", s.id)
	if err != nil {
		s.t.Fatal(err)
	}
	n, _ := strconv.Atoi(code)
	return d, n
}

// processes lists "uid command" of every process in the container.
func (s *session) processes() []string {
	s.t.Helper()
	out, err := docker("exec", s.id, "ps", "-eo", "uid=,comm=")
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.Split(out, "\n")
}

// waitScreen polls full screen updates until ok accepts one; it returns the last screen.
func waitScreen(t *testing.T, v *Conn, within time.Duration, ok func(colors map[uint32]int) bool) (map[uint32]int, time.Duration) {
	t.Helper()
	t0 := time.Now()
	var colors map[uint32]int
	for {
		pix, err := v.Screen(10 * time.Second)
		if err != nil {
			t.Fatalf("framebuffer update: %v", err)
		}
		colors = map[uint32]int{}
		for _, p := range pix {
			colors[p]++
		}
		if ok(colors) || time.Since(t0) > within {
			return colors, time.Since(t0)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func dominant(colors map[uint32]int) uint32 {
	var best uint32
	for c, n := range colors {
		if n > colors[best] {
			best = c
		}
	}
	return best
}

func ensure(t *testing.T, targets ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	t0 := time.Now()
	if err := Ensure(ctx, targets...); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Logf("built %v in %v", targets, d.Round(time.Second))
	}
}

// TestDesktopImage runs hotdesk/desktop:1 as a session and checks what a VNC client sees.
func TestDesktopImage(t *testing.T) {
	ensure(t, "desktop")
	const password = "hd-7Xq2k"
	sid := uuid.NewString()
	s := start(t, Images["desktop"], map[string]string{
		"HOTDESK_VNC_PASSWORD": password, "HOTDESK_SCREEN": "1600x900", "HOTDESK_SESSION_ID": sid,
	}, 0)
	t.Logf("docker run → RFB greeting: %v", s.greeted.Round(time.Millisecond))
	if s.greeted > 5*time.Second {
		t.Errorf("the greeting took %v, want a few seconds at most", s.greeted)
	}

	// A wrong password is refused.
	if _, err := Dial(s.addr, "wrong-pw", 5*time.Second); !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("wrong password: err = %v, want %v", err, ErrAuthFailed)
	}

	v, err := Dial(s.addr, password, 5*time.Second)
	if err != nil {
		t.Fatalf("VNC handshake with the right password: %v", err)
	}
	defer v.Close()
	if string(v.SecurityTypes) != string([]byte{SecurityVncAuth}) {
		t.Errorf("security types %v, want only VncAuth [2]", v.SecurityTypes)
	}
	if v.Width != 1600 || v.Height != 900 {
		t.Errorf("ServerInit %dx%d, want HOTDESK_SCREEN 1600x900", v.Width, v.Height)
	}
	if !strings.Contains(v.Name, sid) {
		t.Errorf("desktop name %q does not name the session %s", v.Name, sid)
	}

	// The desktop (pcmanfm's background), the panel and the terminal (white, a tenth of the
	// screen at least) show up.
	terminal := func(c map[uint32]int) bool { return c[0xffffff]*10 >= v.Width*v.Height }
	colors, took := waitScreen(t, v, 20*time.Second, func(c map[uint32]int) bool {
		return dominant(c) == desktopBackground && len(c) >= 8 && terminal(c)
	})
	if len(colors) < 2 {
		t.Fatalf("the screen is one color (%06x) after %v", dominant(colors), took)
	}
	if dominant(colors) != desktopBackground || len(colors) < 8 || !terminal(colors) {
		t.Errorf("after %v the screen's main color is %06x with %d colors, %d white pixels; want the desktop background %06x, the panel and the terminal's window",
			took, dominant(colors), len(colors), colors[0xffffff], desktopBackground)
	}
	t.Logf("desktop on screen %v after the greeting (%d colors)", took.Round(time.Millisecond), len(colors))

	var progs []string
	for _, p := range s.processes() {
		f := strings.Fields(p)
		if len(f) != 2 {
			continue
		}
		if f[0] != "1000" {
			t.Errorf("process %s runs as uid %s, want 1000 (hotdesk)", f[1], f[0])
		}
		progs = append(progs, f[1])
	}
	for _, want := range []string{"tini", "Xvnc", "openbox", "pcmanfm", "tint2", "xterm"} {
		if !strings.Contains(" "+strings.Join(progs, " ")+" ", " "+want+" ") {
			t.Errorf("no %s among the session's processes %v", want, progs)
		}
	}

	v.Close()
	d, code := s.stop()
	t.Logf("docker stop: %v (exit code %d)", d.Round(time.Millisecond), code)
	if d > 3*time.Second {
		t.Errorf("docker stop took %v, want < 3 s", d)
	}
	if code != 0 {
		t.Errorf("exit code after docker stop %d, want 0", code)
	}
}

// TestSessionContract checks the entrypoint's environment contract on the base image.
func TestSessionContract(t *testing.T) {
	ensure(t, "base")
	image := Images["base"]

	t.Run("empty password is generated and logged", func(t *testing.T) {
		t.Parallel()
		s := start(t, image, map[string]string{"HOTDESK_VNC_PASSWORD": ""}, 0)
		logs, _ := docker("logs", s.id)
		m := regexp.MustCompile(`warning: HOTDESK_VNC_PASSWORD is empty; this session's generated VNC password is (\S+)`).FindStringSubmatch(logs)
		if m == nil {
			t.Fatalf("no warning with the generated password in the log:\n%s", logs)
		}
		v, err := Dial(s.addr, m[1], 5*time.Second)
		if err != nil {
			t.Fatalf("handshake with the generated password: %v", err)
		}
		defer v.Close()
		if v.Width != 1280 || v.Height != 800 {
			t.Errorf("default screen %dx%d, want 1280x800", v.Width, v.Height)
		}
	})

	t.Run("root drops to hotdesk; HOTDESK_VNC_PORT", func(t *testing.T) {
		t.Parallel()
		s := start(t, image, map[string]string{"HOTDESK_VNC_PASSWORD": "pw123456", "HOTDESK_VNC_PORT": "5999"}, 5999, "--user", "0")
		v, err := Dial(s.addr, "pw123456", 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		v.Close()
		for _, p := range s.processes() {
			if f := strings.Fields(p); len(f) == 2 && f[0] != "1000" && f[1] != "tini" && f[1] != "ps" {
				t.Errorf("process %s runs as uid %s, want 1000", f[1], f[0])
			}
		}
	})

	t.Run("bad screen size fails at once", func(t *testing.T) {
		t.Parallel()
		id, err := docker("run", "-d", "--label", "hotdesk.test=imagetest", "-e", "HOTDESK_SCREEN=1600by900", image)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = docker("rm", "-f", id) })
		code, err := docker("wait", id)
		if err != nil {
			t.Fatal(err)
		}
		logs, _ := docker("logs", id)
		if code != "64" || !strings.Contains(logs, "HOTDESK_SCREEN='1600by900' is not WIDTHxHEIGHT") {
			t.Errorf("exit code %s, log %q; want 64 and the reason", code, logs)
		}
	})
}

// TestBrowserImage runs hotdesk/browser:1 when it has been built (make images; the suite does
// not build it).
func TestBrowserImage(t *testing.T) {
	if _, err := docker("image", "inspect", Images["browser"]); err != nil {
		t.Skipf("%s is not built (scripts/build-images.sh browser)", Images["browser"])
	}
	ensure(t, "browser") // up to date with the sources
	s := start(t, Images["browser"], map[string]string{"HOTDESK_VNC_PASSWORD": "browser1", "HOTDESK_SCREEN": "1280x720"}, 0)
	t.Logf("docker run → RFB greeting: %v", s.greeted.Round(time.Millisecond))
	v, err := Dial(s.addr, "browser1", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Width != 1280 || v.Height != 720 {
		t.Errorf("ServerInit %dx%d, want 1280x720", v.Width, v.Height)
	}
	// Chromium's window covers the screen: no black background left, many colors.
	colors, took := waitScreen(t, v, 30*time.Second, func(c map[uint32]int) bool {
		return len(c) >= 8 && c[0]*100 < 1280*720
	})
	if len(colors) < 8 || colors[0]*100 >= 1280*720 {
		t.Fatalf("after %v: %d colors, %d black pixels; want the browser over the whole screen", took, len(colors), colors[0])
	}
	t.Logf("browser on screen %v after the greeting (%d colors)", took.Round(time.Millisecond), len(colors))
	v.Close()
	d, code := s.stop()
	t.Logf("docker stop: %v (exit code %d)", d.Round(time.Millisecond), code)
	if d > 3*time.Second {
		t.Errorf("docker stop took %v, want < 3 s", d)
	}
}
