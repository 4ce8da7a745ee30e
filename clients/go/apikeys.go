package hotdesk

import (
	"context"
	"iter"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// APIKeysClient manages API keys: users their own, administrators everyone's.
type APIKeysClient struct{ pb.ApiKeyServiceClient }

// Get returns one API key (never its secret).
func (c *APIKeysClient) Get(ctx context.Context, id string) (*pb.ApiKey, error) {
	r, err := c.GetApiKey(ctx, &pb.GetApiKeyRequest{Id: id})
	return r.GetApiKey(), err
}

// List iterates over API keys; req (may be nil) may name a user (administrators).
func (c *APIKeysClient) List(ctx context.Context, req *pb.ListApiKeysRequest) iter.Seq2[*pb.ApiKey, error] {
	req = cloneOr(req, func() *pb.ListApiKeysRequest { return &pb.ListApiKeysRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.ApiKey, string, error) {
		req.PageToken = tok
		r, err := c.ListApiKeys(ctx, req)
		return r.GetApiKeys(), r.GetNextPageToken(), err
	})
}

// Create creates an API key for the caller and returns it with its secret, shown only here.
func (c *APIKeysClient) Create(ctx context.Context, k *pb.ApiKey) (key *pb.ApiKey, secret string, err error) {
	r, err := c.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: k, RequestId: NewRequestID()})
	return r.GetApiKey(), r.GetSecret(), err
}

// Delete revokes an API key.
func (c *APIKeysClient) Delete(ctx context.Context, id string) error {
	_, err := c.DeleteApiKey(ctx, &pb.DeleteApiKeyRequest{Id: id})
	return err
}
