package config

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

func TestLoginThrottleSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.LoginMaxFailures != 5 || c.LoginMaxAddressFailures != 50 || c.LoginFailureWindow != 15*time.Minute ||
		c.LoginLockout != time.Minute || c.LoginMaxLockout != time.Hour || len(c.TrustedProxies) != 0 {
		t.Errorf("defaults: %+v", c)
	}
	c, err = Load(nil, env(map[string]string{"HOTDESK_LOGIN_MAX_FAILURES": "3", "HOTDESK_LOGIN_MAX_ADDRESS_FAILURES": "0",
		"HOTDESK_LOGIN_FAILURE_WINDOW": "5m", "HOTDESK_LOGIN_LOCKOUT": "30s", "HOTDESK_LOGIN_MAX_LOCKOUT": "2h",
		"HOTDESK_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LoginMaxFailures != 3 || c.LoginMaxAddressFailures != 0 || c.LoginFailureWindow != 5*time.Minute ||
		c.LoginLockout != 30*time.Second || c.LoginMaxLockout != 2*time.Hour {
		t.Errorf("from env: %+v", c)
	}
	nets, err := c.TrustedProxyNets()
	if err != nil || !slices.Equal(nets, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}) {
		t.Errorf("trusted proxies from env: %v %v", nets, err)
	}
	c, err = Load([]string{"--login-max-failures", "7", "--login-lockout", "2m", "--login-max-lockout", "10m",
		"--login-failure-window", "1h", "--login-max-address-failures", "100", "--trusted-proxies", "::1"},
		env(map[string]string{"HOTDESK_LOGIN_MAX_FAILURES": "3", "HOTDESK_LOGIN_LOCKOUT": "30s"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LoginMaxFailures != 7 || c.LoginLockout != 2*time.Minute || c.LoginMaxLockout != 10*time.Minute ||
		c.LoginFailureWindow != time.Hour || c.LoginMaxAddressFailures != 100 || !slices.Equal(c.TrustedProxies, []string{"::1"}) {
		t.Errorf("flags over env: %+v", c)
	}
	for _, bad := range [][]string{
		{"--login-max-failures", "-1"},
		{"--login-lockout", "10m", "--login-max-lockout", "5m"},
		{"--login-lockout", "100ms"},
		{"--login-failure-window", "0s"},
		{"--trusted-proxies", "10.0.0.0/33"},
		{"--trusted-proxies", "proxy.example.com"},
	} {
		if _, err := Load(bad, env(nil)); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if _, err := Load(nil, env(map[string]string{"HOTDESK_LOGIN_LOCKOUT": "soon"})); err == nil {
		t.Error("accepted a lockout that is no duration")
	}
}
