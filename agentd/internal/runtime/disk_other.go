//go:build !linux

package runtime

func diskFree(string) int64 { return 0 }
