// Quickstart: log in with an API key, launch a session of a workspace, wait until it runs,
// print its connect URL and destroy it.
//
//   HOTDESK_SERVER=http://127.0.0.1:8080 HOTDESK_API_KEY=hdk_... HOTDESK_WORKSPACE=<workspace id> \
//     node quickstart.js
import { Client, SessionState } from "@hotdesk/client";

const client = new Client({ baseUrl: process.env.HOTDESK_SERVER!, apiKey: process.env.HOTDESK_API_KEY });

let session = await client.sessions.launch(process.env.HOTDESK_WORKSPACE!);
console.log("launched session", session.id);

// Watches the session (no polling) until it runs; rejects if it ends first.
session = await client.sessions.wait(session.id, SessionState.RUNNING, { timeoutMs: 120_000 });
console.log("running on agent", session.agentId);
console.log("connect URL:", session.connectUrl);

await client.sessions.delete(session.id);
await client.sessions.wait(session.id, SessionState.STOPPED, { timeoutMs: 120_000 });
console.log("destroyed");
