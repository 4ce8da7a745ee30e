package agent

import (
	"context"
	"errors"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// renewLoop renews the client certificate once its renew time has passed, retrying with
// backoff (capped at an hour) until it works or the certificate expires.
func (a *Agent) renewLoop(ctx context.Context) {
	bo := backoff{base: a.cfg.RenewRetry, cap: time.Hour}
	attempt := 0
	renewed := false
	for {
		wait := time.Until(a.id.RenewTime())
		switch {
		case attempt > 0:
			// Half fixed, half jittered: never a tight loop against a failing server.
			c := bo.ceiling(attempt - 1)
			wait = c/2 + bo.delay(attempt-1)/2
		case renewed && wait <= 0:
			// The server handed out a renew time already past; do not hammer it.
			wait = a.cfg.RenewRetry
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(wait, 0)):
		}
		if err := a.renew(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			attempt++
			lvl := a.log.Warn
			if time.Until(a.id.ExpireTime()) < 0 {
				lvl = a.log.Error
			}
			lvl("certificate renewal failed", "error", err, "expires", a.id.ExpireTime())
			continue
		}
		attempt, renewed = 0, true
		a.log.Info("certificate renewed", "serial", a.id.Serial(), "renew_time", a.id.RenewTime(), "expires", a.id.ExpireTime())
	}
}

// renew asks for a certificate for a new key over the current mTLS connection. Streams opened
// with the old certificate stay up; new handshakes present the new one.
func (a *Agent) renew(ctx context.Context) error {
	key, err := newKey()
	if err != nil {
		return err
	}
	csr, err := csrPEM(key, "agent")
	if err != nil {
		return err
	}
	client, err := a.client()
	if err != nil {
		return err
	}
	callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := client.RenewCertificate(callCtx, &agentpb.RenewCertificateRequest{CsrPem: csr})
	if err != nil {
		return err
	}
	ic := resp.GetCertificate()
	if ic == nil {
		return errors.New("server returned no certificate")
	}
	return a.id.install(key, ic.GetCertificatePem(), ic.GetCaBundlePem(), timeOrZero(ic.GetRenewTime()), timeOrZero(ic.GetExpireTime()), ic.GetSerialNumber())
}

// timeOrZero maps an unset timestamp to the zero time, which Identity replaces with one derived
// from the certificate, rather than to 1970.
func timeOrZero(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}
