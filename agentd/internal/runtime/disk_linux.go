package runtime

import "syscall"

// diskFree is the free space on the file system holding Docker's data root; 0 when the agent
// cannot see that path (e.g. it runs in a container without it).
func diskFree(path string) int64 {
	if path == "" {
		return 0
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
