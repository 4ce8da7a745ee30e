// Package wsproxy carries session streams from browsers to the VNC servers inside session
// containers. Two halves, shared by every binary that proxies:
//
//   - Frontend (the server's built-in proxy; later the dedicated proxy) accepts a browser
//     websocket at /connect/{session_id}/ws, checks the connect token, and relays the bytes
//     over a plain "tunnel" (an HTTP/1.1 upgrade to hotdesk-relay/1: raw bytes, no framing)
//     to the proxy of the agent that runs the session.
//   - Backend (agentd's proxy) accepts that tunnel, or a browser websocket straight away in
//     direct-to-agent zones, checks the token again, and relays to the session's VNC port on
//     127.0.0.1, answering the VNC server's password challenge itself so the password never
//     reaches the browser.
//
// Where the bytes go is decided by the token and the agent's own containers, never by the
// client. Refusals carry a close code in 4400-4599 and a sentence saying what to do (a JSON
// body where no websocket was opened). Idle connections hold no copy buffer: relays wait for
// readability first and borrow a pooled buffer only while data flows.
package wsproxy
