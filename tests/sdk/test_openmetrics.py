"""`certdesk list --format openmetrics`, judged by the Prometheus project's own OpenMetrics parser
(prometheus_client): the exposition parses, every item with an expiry has both gauges with the
documented labels, and a failed part is one `certdesk_scrape_errors` sample."""

import json
import os
import subprocess

from prometheus_client.openmetrics.parser import text_string_to_metric_families

from conftest import certdesk_bin


def test_the_openmetrics_exposition_parses_and_names_every_item_and_failed_part(sim, tmp_path):
    env = dict(os.environ, HUAWEICLOUD_SDK_AK=sim["ak"], HUAWEICLOUD_SDK_SK=sim["sk"],
               CERTDESK_CONFIG_DIR=str(tmp_path))
    env.pop("HUAWEICLOUD_SDK_SECURITY_TOKEN", None)
    regions = []
    for region in sim["regions"]:
        regions += ["--region", region]
    # One region that does not exist in the account: its parts fail, the rest lists.
    args = [certdesk_bin(), "list", "--endpoint", sim["endpoint"], "--format", "openmetrics",
            *regions, "--region", "la-north-2"]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    assert out.returncode in (0, 3), out.stderr
    families = {f.name: f for f in text_string_to_metric_families(out.stdout)}
    expiry = families["certdesk_certificate_expiry_timestamp_seconds"]
    days = families["certdesk_certificate_days_left"]
    assert expiry.type == "gauge" and expiry.unit == "seconds" and days.type == "gauge"
    assert len(expiry.samples) == len(days.samples) > 0
    for sample in expiry.samples:
        assert set(sample.labels) == {"service", "profile", "region", "name", "id", "state"}
        assert sample.labels["service"] in {"dcs", "gemini-db", "ccm", "elb", "scm"}
        assert sample.value > 1_600_000_000
    states = {s.labels["state"] for s in days.samples}
    assert "expired" in states and "valid" in states, states
    # Every item the JSON lists with an expiry is in the exposition.
    listed = subprocess.run([*args[:4], "--json", *regions], env=env, capture_output=True, text=True, check=False)
    items = [i for i in json.loads(listed.stdout)["items"] if i["expires_at"]]
    assert {s.labels["id"] for s in expiry.samples} >= {i["id"] for i in items}
    failed = families["certdesk_scrape_errors"]
    assert failed.samples, "the unknown region's parts are reported"
    assert all(s.labels["region"] == "la-north-2" and s.value == 1 for s in failed.samples)
