package catalog

import (
	"strings"
	"testing"

	"github.com/distribution/reference"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

var registrySeeds = []string{
	"registry.example.com",
	"registry.example.com:5000",
	"  registry.example.com:5000  ",
	"localhost:5000",
	"localhost",
	"127.0.0.1:5000",
	"[::1]:5000",
	"https://registry.example.com",
	"https://registry.example.com:5000/",
	"http://registry.example.com:5000/v2/",
	"HTTPS://Registry.Example.COM",
	"https://user:pass@registry.example.com",
	"https://registry.example.com?x=1#frag",
	"ftp://registry.example.com",
	"https://",
	"https:///path",
	"http:/registry.example.com",
	"://registry.example.com",
	"registry.example.com/path",
	"registry.example.com path",
	"user@registry.example.com",
	"registry.example.com?x",
	"registry.example.com#x",
	"registry.example.com:",
	"registry.example.com:port",
	"-registry.example.com",
	"registry..example.com",
	"réGistry.example.com",
	"registry.example.com\t",
	"registry.\texample.com",
	"registry.example.com\x00",
	"",
	"   ",
	"docker.io",
	"index.docker.io",
	"https://%zz",
	"https://[::1",
	strings.Repeat("a", 300) + ".com",
}

// FuzzRegistryHost: never panics; refusals are InvalidArgument on the registry field; an
// accepted host is trimmed, carries no URL syntax, maps to itself again, and can prefix an
// image reference.
func FuzzRegistryHost(f *testing.F) {
	for _, s := range registrySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		host, err := RegistryHost(in)
		if err != nil {
			if host != "" {
				t.Fatalf("refused %q but returned %q", in, host)
			}
			if e, ok := model.AsError(err); !ok || e.Code != model.CodeInvalidArgument || e.Field != "workspace.container.registry" {
				t.Fatalf("refusal of %q is not InvalidArgument on workspace.container.registry: %#v", in, err)
			}
			return
		}
		if host == "" || host != strings.TrimSpace(host) || strings.ContainsAny(host, "/ @?#\t\r\n\x00") || strings.Contains(host, "://") {
			t.Fatalf("RegistryHost(%q) = %q: not a bare host[:port]", in, host)
		}
		if !strings.Contains(in, "://") && host != strings.TrimSpace(in) {
			t.Fatalf("RegistryHost(%q) = %q: a bare host must come back trimmed and otherwise unchanged", in, host)
		}
		if again, err := RegistryHost(host); err != nil || again != host {
			t.Fatalf("RegistryHost(%q) = %q, but RegistryHost(%q) = %q, %v", in, host, host, again, err)
		}
		if _, err := reference.ParseNormalizedNamed(host + "/desktop:1.0"); err != nil {
			t.Fatalf("RegistryHost(%q) = %q, which cannot prefix an image: %v", in, host, err)
		}
	})
}

func TestRegistryHost(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"registry.example.com:5000", "registry.example.com:5000"},
		{" registry.example.com ", "registry.example.com"},
		{"https://registry.example.com:5000/", "registry.example.com:5000"},
		{"http://localhost:5000/v2/", "localhost:5000"},
		{"HTTPS://registry.example.com", "registry.example.com"},
		{"https://", ""},
		{"ftp://registry.example.com", ""},
		{"registry.example.com/library", ""},
		{"user@registry.example.com", ""},
		{"registry example.com", ""},
		{"", ""},
		{"-bad.example.com", ""},
	} {
		got, err := RegistryHost(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("RegistryHost(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
