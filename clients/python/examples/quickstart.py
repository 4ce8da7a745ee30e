"""Quickstart: log in with an API key, launch a session of a workspace, wait until it runs,
print its connect URL and destroy it.

    HOTDESK_SERVER=http://127.0.0.1:8080 HOTDESK_API_KEY=hdk_... HOTDESK_WORKSPACE=<workspace id> \
      python quickstart.py
"""

import os

import hotdesk

with hotdesk.Client(os.environ["HOTDESK_SERVER"], api_key=os.environ["HOTDESK_API_KEY"]) as client:
    session = client.sessions.launch(os.environ["HOTDESK_WORKSPACE"])
    print("launched session", session.id)

    # Watches the session (no polling) until it runs; raises if it ends first.
    session = client.sessions.wait(session.id, "RUNNING", timeout=120)
    print("running on agent", session.agent_id)
    print("connect URL:", session.connect_url)

    client.sessions.delete(session.id)
    client.sessions.wait(session.id, "STOPPED", timeout=120)
    print("destroyed")
