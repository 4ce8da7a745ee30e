package agent

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
)

// CAKeys returns the ECDSA public keys of the CA bundle: the keys session connect tokens are
// signed with, so the agent's proxy checks them with no call to the server.
func (id *Identity) CAKeys() []*ecdsa.PublicKey {
	id.mu.RLock()
	rest := id.caPEM
	id.mu.RUnlock()
	var keys []*ecdsa.PublicKey
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return keys
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil || !c.IsCA {
			continue
		}
		if k, ok := c.PublicKey.(*ecdsa.PublicKey); ok {
			keys = append(keys, k)
		}
	}
}
