package pki

import "crypto"

// Signer is the CA's private key as a signer: session connect tokens are signed with it, so
// agents verify them with the CA certificate they already trust.
func (ca *CA) Signer() crypto.Signer { return ca.key }
