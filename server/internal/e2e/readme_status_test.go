package e2e

import (
	"context"
	"crypto/tls"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	_ "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

// The README's status table must say the truth: every RPC it calls implemented answers with
// something other than UNIMPLEMENTED, and every other one answers UNIMPLEMENTED.
func TestReadmeStatusTable(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([\\w.]+)` \\| `(\\w+)` \\| (implemented|UNIMPLEMENTED) \\|$").FindAllStringSubmatch(string(readme), -1)
	if len(rows) < 50 {
		t.Fatalf("found %d status rows in the README; the table is missing or malformed", len(rows))
	}
	e := apptest.Start(t)
	ctx := context.Background()
	// An API key, so that calling Logout does not end the session the test runs on.
	key, err := pb.NewApiKeyServiceClient(e.Conn).CreateApiKey(e.Admin(ctx), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "status"}})
	if err != nil {
		t.Fatal(err)
	}
	actx := apptest.As(ctx, key.GetSecret())
	seen := map[string]bool{}
	for _, r := range rows {
		svcName, method, want := r[1], r[2], r[3]
		seen[svcName+"/"+method] = true
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svcName))
		if err != nil {
			t.Errorf("README names unknown service %s", svcName)
			continue
		}
		md := d.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(method))
		if md == nil {
			t.Errorf("README names unknown RPC %s/%s", svcName, method)
			continue
		}
		conn := e.Conn
		if strings.HasPrefix(svcName, "hotdesk.agent.") {
			conn = agentPortConn(t, e)
		}
		code := callEmpty(actx, conn, svcName, md)
		if got := code == codes.Unimplemented; got != (want == "UNIMPLEMENTED") {
			t.Errorf("%s/%s: README says %s, server answered %s", svcName, method, want, code)
		}
	}
	// And every RPC of every contract is in the table.
	protoregistry.GlobalFiles.RangeFilesByPackage("hotdesk.v1", func(fd protoreflect.FileDescriptor) bool {
		checkListed(t, fd, seen)
		return true
	})
	protoregistry.GlobalFiles.RangeFilesByPackage("hotdesk.agent.v1", func(fd protoreflect.FileDescriptor) bool {
		checkListed(t, fd, seen)
		return true
	})
}

// agentPortConn dials the agent port without a client certificate: enough to tell an
// implemented RPC (which then refuses the caller) from an unimplemented one.
func agentPortConn(t *testing.T, e *apptest.Env) *grpc.ClientConn {
	conn, err := grpc.NewClient(e.App.AgentAddr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}))) //nolint:gosec // probing only
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func checkListed(t *testing.T, fd protoreflect.FileDescriptor, seen map[string]bool) {
	for i := 0; i < fd.Services().Len(); i++ {
		s := fd.Services().Get(i)
		for j := 0; j < s.Methods().Len(); j++ {
			if m := s.Methods().Get(j); !seen[string(s.FullName())+"/"+string(m.Name())] {
				t.Errorf("RPC %s/%s is missing from the README status table", s.FullName(), m.Name())
			}
		}
	}
}

// callEmpty calls a method with an empty request and returns the status code.
func callEmpty(ctx context.Context, conn *grpc.ClientConn, svc string, md protoreflect.MethodDescriptor) codes.Code {
	full := "/" + svc + "/" + string(md.Name())
	req := dynamicpb.NewMessage(md.Input())
	resp := dynamicpb.NewMessage(md.Output())
	if !md.IsStreamingClient() && !md.IsStreamingServer() {
		return status.Code(conn.Invoke(ctx, full, req, resp))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: md.IsStreamingServer(), ClientStreams: md.IsStreamingClient()}, full)
	if err != nil {
		return status.Code(err)
	}
	if err := st.SendMsg(req); err != nil && err != io.EOF {
		return status.Code(err)
	}
	_ = st.CloseSend()
	return status.Code(st.RecvMsg(resp))
}
