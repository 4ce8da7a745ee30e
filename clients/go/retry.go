package hotdesk

import (
	"encoding/json"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// retryServiceConfig retries the idempotent reads (Get*, List*, Watch* before the first
// message) on UNAVAILABLE, the code for a server restarting or a connection lost before the
// call reached it. Changes are never retried transparently: a Create retried by hand with the
// same request_id is safe, a blind retry of an Update or Delete may not be.
func retryServiceConfig() string {
	type name struct {
		Service string `json:"service"`
		Method  string `json:"method"`
	}
	var names []name
	for _, f := range []protoreflect.FileDescriptor{
		pb.File_hotdesk_v1_auth_proto, pb.File_hotdesk_v1_workspace_proto, pb.File_hotdesk_v1_session_proto,
		pb.File_hotdesk_v1_agent_proto, pb.File_hotdesk_v1_zone_proto, pb.File_hotdesk_v1_user_proto,
		pb.File_hotdesk_v1_group_proto, pb.File_hotdesk_v1_api_key_proto, pb.File_hotdesk_v1_audit_proto,
		pb.File_hotdesk_v1_pool_proto, pb.File_hotdesk_v1_server_proto,
	} {
		for i := 0; i < f.Services().Len(); i++ {
			svc := f.Services().Get(i)
			for j := 0; j < svc.Methods().Len(); j++ {
				m := string(svc.Methods().Get(j).Name())
				if strings.HasPrefix(m, "Get") || strings.HasPrefix(m, "List") || strings.HasPrefix(m, "Watch") {
					names = append(names, name{Service: string(svc.FullName()), Method: m})
				}
			}
		}
	}
	cfg := map[string]any{"methodConfig": []any{map[string]any{
		"name": names,
		"retryPolicy": map[string]any{
			"maxAttempts":          5,
			"initialBackoff":       "0.1s",
			"maxBackoff":           "2s",
			"backoffMultiplier":    2,
			"retryableStatusCodes": []string{"UNAVAILABLE"},
		},
	}}}
	b, _ := json.Marshal(cfg)
	return string(b)
}
