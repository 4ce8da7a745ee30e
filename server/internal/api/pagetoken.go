package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// pager issues and checks opaque keyset page tokens. A token carries the last id of a page and
// a fingerprint of the query it belongs to, signed so clients can neither forge a cursor nor
// reuse one with a different query.
type pager struct{ key []byte }

func newPager(key []byte) *pager { return &pager{key: key} }

type cursor struct {
	After string `json:"a"`
	Query string `json:"q"`
}

const macLen = 16

func (p *pager) sign(b []byte) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write(b)
	return m.Sum(nil)[:macLen]
}

// page turns a request's page_size and page_token into a model.Page for query.
func (p *pager) page(size int32, token, query string) (model.Page, error) {
	pg := model.Page{Size: int(size)}
	if token == "" {
		return pg, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) <= macLen {
		return pg, model.Invalid("page_token", "is not a token this server issued; pass next_page_token from the previous response unchanged")
	}
	body, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(mac, p.sign(body)) {
		return pg, model.Invalid("page_token", "is not a token this server issued; pass next_page_token from the previous response unchanged")
	}
	var c cursor
	if err := json.Unmarshal(body, &c); err != nil || c.After == "" {
		return pg, model.Invalid("page_token", "is malformed")
	}
	if c.Query != query {
		return pg, model.Invalid("page_token", "belongs to a different query; keep the same filters while paging")
	}
	pg.After = c.After
	return pg, nil
}

// next returns the token for the page after lastID, or "" when there is none.
func (p *pager) next(more bool, lastID, query string) string {
	if !more || lastID == "" {
		return ""
	}
	body, _ := json.Marshal(cursor{After: lastID, Query: query})
	return base64.RawURLEncoding.EncodeToString(append(body, p.sign(body)...))
}

// list runs one keyset-paged listing: it checks the token against query, fetches a page,
// converts each row, and issues the next token from the last row's id.
func list[M, P any](p *pager, size int32, token, query string, fetch func(model.Page) ([]M, bool, error),
	conv func(M) P, id func(M) string) ([]P, string, error) {
	pg, err := p.page(size, token, query)
	if err != nil {
		return nil, "", err
	}
	rows, more, err := fetch(pg)
	if err != nil {
		return nil, "", err
	}
	out := make([]P, 0, len(rows))
	for _, r := range rows {
		out = append(out, conv(r))
	}
	next := ""
	if len(rows) > 0 {
		next = p.next(more, id(rows[len(rows)-1]), query)
	}
	return out, next, nil
}
