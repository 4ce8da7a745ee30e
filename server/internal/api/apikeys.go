package api

import (
	"context"
	"time"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// APIKeyService implements hotdesk.v1.ApiKeyService.
type APIKeyService struct {
	pb.UnimplementedApiKeyServiceServer
	d     Deps
	pages *pager
}

func apiKeyToPB(k *model.APIKey) *pb.ApiKey {
	return &pb.ApiKey{Id: k.ID, Name: k.Name, UserId: k.UserID, Scope: pb.ApiKeyScope(k.Scope), ExpireTime: tsp(k.ExpireTime),
		LastUsedTime: tsp(k.LastUsedTime), CreateTime: ts(k.CreateTime)}
}

// ownerFilter is "" for administrators (any key) and the caller's id for users.
func ownerFilter(ctx context.Context) (string, error) {
	return visibleTo(ctx)
}

func (s *APIKeyService) CreateApiKey(ctx context.Context, req *pb.CreateApiKeyRequest) (*pb.CreateApiKeyResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	in := req.GetApiKey()
	k := &model.APIKey{UserID: p.UserID, Name: in.GetName(), Scope: model.APIKeyScope(in.GetScope())}
	if k.Scope == 0 {
		k.Scope = model.ScopeFull
	}
	// A read-only key must not mint full keys: that would escape its scope.
	if p.APIKeyID != "" && p.Scope == model.ScopeReadOnly {
		return nil, model.PermissionDenied("a read-only API key cannot create API keys")
	}
	if in.GetExpireTime() != nil {
		// An out-of-range time would overflow on its way into Postgres and be stored as some
		// other instant (or one no response can carry), so refuse it here.
		if err := in.GetExpireTime().CheckValid(); err != nil {
			return nil, model.Invalid("api_key.expire_time", "must be a valid time between the years 1 and 9999")
		}
		t := in.GetExpireTime().AsTime()
		if !t.After(time.Now()) {
			return nil, model.Invalid("api_key.expire_time", "must be in the future")
		}
		k.ExpireTime = &t
	}
	secret, hash, err := auth.NewSecret(auth.APIKeyPrefix)
	if err != nil {
		return nil, err
	}
	k.SecretHash = hash
	id, err := s.d.Store.CreateAPIKey(ctx, idem(ctx, "CreateApiKey", req.GetRequestId()), k)
	if err != nil {
		return nil, err
	}
	got, err := s.d.Store.GetAPIKey(ctx, id, "")
	if err != nil {
		return nil, err
	}
	resp := &pb.CreateApiKeyResponse{ApiKey: apiKeyToPB(got)}
	// A retried request returns the key the first attempt made, whose secret is gone.
	if mine, err := s.d.Store.APIKeyHasSecret(ctx, id, hash); err != nil {
		return nil, err
	} else if mine {
		resp.Secret = secret
	}
	return resp, nil
}

func (s *APIKeyService) GetApiKey(ctx context.Context, req *pb.GetApiKeyRequest) (*pb.GetApiKeyResponse, error) {
	owner, err := ownerFilter(ctx)
	if err != nil {
		return nil, err
	}
	k, err := s.d.Store.GetAPIKey(ctx, req.GetId(), owner)
	if err != nil {
		return nil, err
	}
	return &pb.GetApiKeyResponse{ApiKey: apiKeyToPB(k)}, nil
}

func (s *APIKeyService) ListApiKeys(ctx context.Context, req *pb.ListApiKeysRequest) (*pb.ListApiKeysResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	owner := p.UserID
	if p.IsAdmin() {
		switch u := req.GetUserId(); u {
		case "":
		case "-":
			owner = ""
		default:
			owner = u
		}
	}
	keys, next, err := list(s.pages, req.GetPageSize(), req.GetPageToken(), "apikeys|"+owner,
		func(p model.Page) ([]*model.APIKey, bool, error) { return s.d.Store.ListAPIKeys(ctx, p, owner) },
		apiKeyToPB, func(k *model.APIKey) string { return k.ID })
	if err != nil {
		return nil, err
	}
	return &pb.ListApiKeysResponse{ApiKeys: keys, NextPageToken: next}, nil
}

func (s *APIKeyService) DeleteApiKey(ctx context.Context, req *pb.DeleteApiKeyRequest) (*pb.DeleteApiKeyResponse, error) {
	owner, err := ownerFilter(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.d.Store.DeleteAPIKey(ctx, req.GetId(), owner); err != nil {
		return nil, err
	}
	s.d.Authn.Forget()
	return &pb.DeleteApiKeyResponse{}, nil
}
