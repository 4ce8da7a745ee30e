// Package dockertest gives tests that need real Docker an engine that answers and a session
// image to run in it. Nothing can be pulled on the machines these tests run on, so the engine
// is started from the system's binaries (scripts/start-dockerd.sh) when none answers, and the
// session image is built here from source: the fake VNC server of images/testvnc, compiled with the
// local Go toolchain and imported as a one-file image.
//
// It is shared by the server's and agentd's tests, so it lives outside both.
package dockertest
