"""Every request certdesk sends is checked by the official SDK's signer: a proxy between the
certdesk CLI and `certdesk sim` recomputes each Authorization header with
`huaweicloudsdkcore.signer.Signer` and refuses any request whose signature differs."""

import http.client
import http.server
import os
import subprocess
import tempfile
import threading
import urllib.parse

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from conftest import certdesk_bin


class Judge:
    def __init__(self, sim):
        self.sim = sim
        self.checked = 0
        self.mismatches = []
        self.lock = threading.Lock()
        self.first = None

    def verify(self, method, raw_path, headers, body):
        """Returns None when the official signer agrees, else why not."""
        lower = {k.lower(): v for k, v in headers.items()}
        auth = lower.get("authorization", "")
        if not auth.startswith("SDK-HMAC-SHA256 "):
            return f"not an SDK-HMAC-SHA256 request: {auth[:40]!r}"
        parts = dict(p.strip().split("=", 1) for p in auth[len("SDK-HMAC-SHA256 "):].split(","))
        signed = parts["SignedHeaders"].split(";")
        for required in ("host", "x-sdk-date"):
            if required not in signed:
                return f"{required} not signed"
        path, _, query = raw_path.partition("?")
        # Global services (CCM's /v1/, SCM's /v3/scm/) name the account; regional ones the project.
        is_global = path.startswith(("/v1/", "/v3/scm/"))
        if path.startswith(("/v2/", "/v3/", "/v2.0/")) and path.count("/") >= 3 and "x-project-id" not in signed \
                and not is_global and not path.startswith(("/v3/projects", "/v3/auth/")):
            return "regional call without a signed X-Project-Id"
        if is_global and "x-domain-id" not in signed:
            return "global call without a signed X-Domain-Id"
        header_params = {name: lower[name] for name in signed}
        request = SdkRequest(method=method, schema="http", host=lower["host"], resource_path=path,
                             query_params=urllib.parse.parse_qsl(query, keep_blank_values=True),
                             header_params=header_params, body=body or None)
        Signer(BasicCredentials(self.sim["ak"], self.sim["sk"])).sign(request)
        expected = request.header_params["Authorization"]
        if expected != auth:
            return f"signature differs for {method} {path}: official {expected!r}, certdesk {auth!r}"
        return None


def make_proxy(judge):
    upstream = urllib.parse.urlparse(judge.sim["endpoint"])

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            presigned = "Signature=" in self.path.partition("?")[2]
            if presigned:
                # A presigned object link: it must carry no credentials; there is nothing to re-sign.
                has_auth = any(k.lower() in ("authorization", "x-auth-token") for k in self.headers.keys())
                problem = "credentials sent with a presigned link" if has_auth else None
            else:
                problem = judge.verify(self.command, self.path, dict(self.headers.items()), body)
            with judge.lock:
                if judge.first is None:
                    judge.first = (self.command, self.path, dict(self.headers.items()), body)
                judge.checked += 1
                if problem:
                    judge.mismatches.append(problem)
            if problem:
                payload = b'{"error_code":"APIG.0301","error_msg":"official signer disagrees"}'
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() not in ("connection", "content-length"):
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            # The simulator's presigned links name its own port; certdesk fetches links only on the
            # endpoint's own port, which here is this proxy's (the link's signature covers no host).
            own = f"127.0.0.1:{self.server.server_address[1]}".encode()
            data = data.replace(f"127.0.0.1:{upstream.port}".encode(), own)
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("connection", "transfer-encoding", "content-length", "date", "server"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = handle_one
        do_POST = handle_one

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(args, proxy_url, sim):
    env = dict(os.environ, HUAWEICLOUD_SDK_AK=sim["ak"], HUAWEICLOUD_SDK_SK=sim["sk"])
    return subprocess.run([certdesk_bin(), *args, "--endpoint", proxy_url], env=env,
                          capture_output=True, text=True, timeout=120)


def test_every_certdesk_request_matches_the_official_signer(sim):
    judge = Judge(sim)
    proxy = make_proxy(judge)
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        listed = run(["list", "--json"], url, sim)
        assert listed.returncode == 0, (listed.stderr, judge.mismatches)
        import json
        items = json.loads(listed.stdout)["items"]
        dcs = next(i for i in items if i["service"] == "dcs" and i["ssl"] == "on")
        gemini = next(i for i in items if i["service"] == "gemini-db" and i["ssl"] == "on")
        cert = next(i for i in items if i["service"] == "ccm" and i["status"] == "ISSUED" and not i["note"])
        assert any(i["service"] == "elb" for i in items)
        scm = next(i for i in items if i["service"] == "scm" and i["status"] == "ISSUED"
                   and i["validity"] in ("valid", "expiring"))
        with tempfile.TemporaryDirectory() as d:
            scm_dir = f"{d}/scm"
            os.mkdir(scm_dir)
            for args in (
                ["ssl", "--region", dcs["region"], dcs["id"]],
                ["download", "--region", dcs["region"], dcs["id"], "--out", f"{d}/dcs.zip"],
                ["download", "--service", "gemini-db", "--region", gemini["region"], gemini["id"], "--out", f"{d}/g.crt"],
                ["export", cert["id"], "--type", "other", "--out", d],
                ["export", cert["id"], "--type", "iis", "--format", "zip", "--out", f"{d}/iis.zip"],
                ["list", "--region", sim["regions"][0], "--service", "dcs"],
                ["list", "--region", sim["regions"][0], "--service", "elb", "--service", "scm"],
                ["export", "--service", "scm", scm["id"], "--type", "nginx", "--out", scm_dir],
                ["export", "--service", "scm", scm["id"], "--type", "tomcat", "--format", "zip",
                 "--out", f"{d}/scm-tomcat.zip"],
            ):
                result = run(args, url, sim)
                assert result.returncode == 0, f"{args}: {result.stderr}"
    finally:
        proxy.shutdown()
    assert not judge.mismatches, judge.mismatches
    # The judge itself can fail: the same request with one changed byte in the path is refused.
    method, path, headers, body = judge.first
    assert judge.verify(method, path, headers, body) is None
    assert judge.verify(method, path.replace("/v3/", "/v4/", 1), headers, body) is not None
    assert judge.checked >= 20, f"only {judge.checked} requests were judged"
