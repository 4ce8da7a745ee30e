package main

import (
	"fmt"
	"strings"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
)

// describe renders an error for a person: the gRPC code and the server's message, the field
// at fault, and a hint for the common credential mistakes.
func describe(err error) string {
	e, ok := hotdesk.AsError(err)
	if !ok {
		return err.Error()
	}
	msg := e.Error()
	if e.Field != "" && !strings.Contains(e.Message, e.Field) {
		msg += fmt.Sprintf(" (field %s)", e.Field)
	}
	switch {
	case hotdesk.IsUnauthenticated(err):
		msg += "\nLog in with 'hotdesk login', or give --api-key / HOTDESK_API_KEY."
	case hotdesk.IsUnavailable(err):
		msg += "\nIs the server running, and is --server / HOTDESK_SERVER right?"
	}
	return msg
}
