package imagetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Images maps build-images.sh targets to the images they make.
var Images = map[string]string{
	"testvnc": "hotdesk/testvnc:1",
	"base":    "hotdesk/base:1",
	"desktop": "hotdesk/desktop:1",
	"deluxe":  "hotdesk/desktop-deluxe:1",
	"browser": "hotdesk/browser:1",
}

// RepoRoot is the repository's top directory (where scripts/ is).
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Ensure builds the images of the given build-images.sh targets (testvnc, base, desktop,
// deluxe, browser) unless they are up to date; it is quick when they are. The first build of
// the base image runs debootstrap (a few minutes). Concurrent callers, in this process or
// others, wait for one another. The script's progress goes to stderr.
func Ensure(ctx context.Context, targets ...string) error {
	for _, t := range targets {
		if _, ok := Images[t]; !ok {
			return fmt.Errorf("imagetest: unknown image target %q", t)
		}
	}
	cmd := exec.CommandContext(ctx, filepath.Join(RepoRoot(), "scripts", "build-images.sh"), targets...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("imagetest: scripts/build-images.sh %v: %w", targets, err)
	}
	return nil
}
