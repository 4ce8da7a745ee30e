package enroll

import "github.com/hotdesk/hotdesk/server/internal/pki"

// CA is the shared certificate authority (it also signs session connect tokens).
func (s *Service) CA() *pki.CA { return s.ca }
