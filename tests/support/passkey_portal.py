"""The portal as a browser at http://localhost:PORT reaches it for passkeys (a Host header on
the loopback address: passkeys are bound to a host name, never to 127.0.0.1), for the e2e
passkey tests."""
from tests.support.auth_helpers import PASSWORD, bearer
from tests.support.client_addresses import client_at


class Portal:
    """Requests to the system as a browser at http://localhost:PORT would make them; one
    nobody signed in to comes from an address of its own (its failed sign-ins count there,
    not on the rest of the suite's 127.0.0.1)."""

    def __init__(self, system, session=None, host=None):
        self.system, self.http = system, session or client_at()
        self.host = host or f"localhost:{system.port}"
        self.origin = f"http://{self.host}"

    def call(self, method, path, **kwargs):
        return self.http.request(method, self.system.url(path), timeout=10,
                                 headers={"Host": self.host}, **kwargs)

    def register(self, device, name="Work laptop", password=PASSWORD):
        started = self.call("POST", "/api/v1/me/passkeys/options",
                            json={"current_password": password})
        assert started.status_code == 200, started.text
        body = started.json()
        credential = device.create(body["options"], self.origin)
        return self.call("POST", "/api/v1/me/passkeys", json={
            "challenge_id": body["challenge_id"], "credential": credential, "name": name})

    def assertion(self, device, purpose="sign_in", **forged):
        started = self.call("POST", "/api/v1/auth/passkey/options", json={"purpose": purpose})
        assert started.status_code == 200, started.text
        body = started.json()
        return {"challenge_id": body["challenge_id"],
                "credential": device.get(body["options"], self.origin, **forged)}

    def passkey_sign_in(self, device, **forged):
        return self.call("POST", "/api/v1/auth/passkey", json=self.assertion(device, **forged))


def signed_in(system, user):
    return Portal(system, bearer(system, user["username"]))
