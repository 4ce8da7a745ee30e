package pgembed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// owner is the account the server runs as. Postgres refuses to run as root, so when we are root
// the binaries run as the `postgres` system user (or `nobody`), which must own the cluster files.
type owner struct {
	cred *syscall.Credential // nil: run as ourselves
}

func serverOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		return &owner{}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		// Empty Groups drops root's supplementary groups.
		return &owner{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}, nil
	}
	return nil, errors.New("pgembed: running as root but neither a postgres nor a nobody user exists to run the server as")
}

// command builds an exec.Cmd running as the owner, without PG* variables from our environment that
// would redirect initdb or postgres elsewhere.
func (o *owner) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: o.cred}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LC_ALL=C") // log messages untranslated, whatever the host locale
	return cmd
}

// prepare hands dir to the owner and lets it reach dir: temporary folders are often created 0700
// by root (os.MkdirTemp, t.TempDir), so ancestors get o+x (traverse, not list).
func (o *owner) prepare(dir string) error {
	if o.cred == nil {
		return nil
	}
	if err := o.chown(dir); err != nil {
		return err
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(p, st.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("pgembed: make %s traversable for the server user: %w", p, err)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// chown gives the tree at path to the owner; files we write as root (config) need it too.
func (o *owner) chown(path string) error {
	if o.cred == nil {
		return nil
	}
	err := filepath.WalkDir(path, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(o.cred.Uid), int(o.cred.Gid))
	})
	if err != nil {
		return fmt.Errorf("pgembed: give %s to the server user: %w", path, err)
	}
	return nil
}
