package agent

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// EnrollConfig is what a first run needs to enroll.
type EnrollConfig struct {
	ServerAddr string // host:port of the server's agent listener
	ServerName string // TLS name to verify; the host of ServerAddr when empty
	StateDir   string
	Token      string
	Hostname   string // os.Hostname when empty
	Version    string
	Logger     *slog.Logger
	// Backoff between attempts while the server is unreachable.
	BackoffBase, BackoffCap time.Duration
	DialOptions             []grpc.DialOption
}

type pendingEnroll struct {
	RequestID string `json:"request_id"`
}

// Enroll exchanges the one-time token for an agent id and a client certificate and saves them in
// the state directory. It talks only to a server whose chain ends in the CA the token pins, and
// retries while the server is unreachable. The key and request id are saved before the call, so
// a crash after the server consumed the token can be retried with the same request id.
func Enroll(ctx context.Context, cfg EnrollConfig) (*Identity, error) {
	tok, err := ParseToken(cfg.Token)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = ServerNameOf(cfg.ServerAddr)
	}
	if cfg.Hostname == "" {
		if cfg.Hostname, err = os.Hostname(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, err
	}
	key, requestID, err := loadOrCreatePending(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	csr, err := csrPEM(key, cfg.Hostname)
	if err != nil {
		return nil, err
	}

	failure := &pinFailure{}
	opts := append([]grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(pinnedTLS(tok.CAPin, cfg.ServerName, failure)))}, cfg.DialOptions...)
	conn, err := grpc.NewClient(cfg.ServerAddr, opts...)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	client := agentpb.NewManagerServiceClient(conn)
	bo := backoff{base: orDefault(cfg.BackoffBase, 500*time.Millisecond), cap: orDefault(cfg.BackoffCap, 30*time.Second)}

	var resp *agentpb.EnrollResponse
	for attempt := 0; ; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		resp, err = client.Enroll(callCtx, &agentpb.EnrollRequest{
			EnrollmentToken: tok.Raw,
			CsrPem:          csr,
			Hostname:        cfg.Hostname,
			Role:            agentpb.AgentRole_AGENT_ROLE_AGENT,
			Version:         cfg.Version,
			RequestId:       requestID,
		})
		cancel()
		if err == nil {
			break
		}
		if perr := failure.get(); perr != nil {
			return nil, perr
		}
		switch status.Code(err) {
		case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted:
		default:
			return nil, fmt.Errorf("enroll: %w", err)
		}
		d := bo.delay(attempt)
		log.Warn("enroll failed; retrying", "error", err, "retry_in", d)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(d):
		}
	}

	if _, err := uuid.Parse(resp.GetAgentId()); err != nil {
		return nil, fmt.Errorf("enroll: server returned agent id %q: not a UUID", resp.GetAgentId())
	}
	ic := resp.GetCertificate()
	if ic == nil {
		return nil, errors.New("enroll: server returned no certificate")
	}
	if !bundleHasPin(ic.GetCaBundlePem(), tok.CAPin) {
		return nil, errors.New("enroll: the CA bundle the server returned lacks the CA the token pins")
	}
	id := &Identity{AgentID: resp.GetAgentId(), dir: cfg.StateDir}
	if err := id.install(key, ic.GetCertificatePem(), ic.GetCaBundlePem(), timeOrZero(ic.GetRenewTime()), timeOrZero(ic.GetExpireTime()), ic.GetSerialNumber()); err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	os.Remove(filepath.Join(cfg.StateDir, filePending))
	os.Remove(filepath.Join(cfg.StateDir, filePendKey))
	log.Info("enrolled", "agent_id", id.AgentID, "certificate_expires", id.ExpireTime())
	return id, nil
}

func loadOrCreatePending(dir string) (*ecdsa.PrivateKey, string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, filePending))
	if err == nil {
		var p pendingEnroll
		keyPEM, kerr := os.ReadFile(filepath.Join(dir, filePendKey))
		if jerr := json.Unmarshal(raw, &p); jerr == nil && kerr == nil && p.RequestID != "" {
			if key, err := decodeKey(keyPEM); err == nil {
				return key, p.RequestID, nil
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	key, err := newKey()
	if err != nil {
		return nil, "", err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, "", err
	}
	p := pendingEnroll{RequestID: uuid.NewString()}
	j, _ := json.Marshal(p)
	if err := writeFileAtomic(filepath.Join(dir, filePendKey), keyPEM); err != nil {
		return nil, "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, filePending), j); err != nil {
		return nil, "", err
	}
	return key, p.RequestID, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
