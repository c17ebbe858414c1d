"""certdesk's endpoint catalog (`certdesk endpoints --cloud huawei-cloud --json`) compared, region by
region and service by service, with the region tables the official SDK packages ship. Every
difference must be explained by a rule below; a new one fails the test until it is explained
(or the catalog fixed)."""

import json
import subprocess

from huaweicloudsdkccm.v1.region.ccm_region import CcmRegion
from huaweicloudsdkdcs.v2.region.dcs_region import DcsRegion
from huaweicloudsdkelb.v3.region.elb_region import ElbRegion
from huaweicloudsdkgaussdbfornosql.v3.region.gaussdbfornosql_region import GaussDBforNoSQLRegion
from huaweicloudsdkiam.v3.region.iam_region import IamRegion
from huaweicloudsdkscm.v3.region.scm_region import ScmRegion

from conftest import certdesk_bin

SDK_TABLES = {
    "iam": IamRegion.static_fields,
    "dcs": DcsRegion.static_fields,
    "gemini-db": GaussDBforNoSQLRegion.static_fields,
    "ccm": CcmRegion.static_fields,
    "elb": ElbRegion.static_fields,
    "scm": ScmRegion.static_fields,
}


def sdk_url(service, region):
    entry = SDK_TABLES[service].get(region)
    return entry.endpoints[0].rstrip("/") if entry else None


def explain(service, region, ours, theirs):
    """Why certdesk differs from the SDK here, or None when nothing explains it."""
    if service == "iam" and ours == "https://iam.myhuaweicloud.com":
        # The SDK's own default (CLOUD_API.md §4.2): one global IAM serves every region's sign-in.
        return "certdesk signs in at the global IAM endpoint the SDK uses by default"
    if service in ("ccm", "scm") and ours is not None and theirs != ours:
        # Global services: one endpoint for the account, whatever the region (CLOUD_API.md §3.1, §3.5).
        return f"{service} is global; certdesk uses the international endpoint {ours} for every region"
    if service == "dcs" and ours is not None and theirs is None:
        return f"the SDK's DCS table lacks {region}; certdesk lists it from CLOUD_API.md §4.2"
    if ours is None and theirs is not None and service == "gemini-db":
        return f"CLOUD_API.md §4.2 lists no GeminiDB in {region} (the SDK table does)"
    return None


def test_the_catalog_matches_the_official_sdk_region_tables_or_says_why():
    out = subprocess.run([certdesk_bin(), "endpoints", "--cloud", "huawei-cloud", "--json"],
                         capture_output=True, text=True, timeout=60, check=True)
    catalog = json.loads(out.stdout)
    assert catalog["cloud"] == "huawei-cloud"
    ours_regions = {r["region"] for r in catalog["regions"]}
    matched, explained, unexplained = 0, [], []
    for entry in catalog["regions"]:
        region = entry["region"]
        assert set(entry["services"]) >= {"iam", "dcs", "gemini-db", "ccm"}
        assert entry["object_storage_suffix"] == ("myhuaweicloud.eu" if region == "eu-west-101"
                                                  else "myhuaweicloud.com")
        for service, ours in entry["services"].items():
            theirs = sdk_url(service, region)
            if ours == theirs:
                matched += ours is not None
                continue
            why = explain(service, region, ours, theirs)
            (explained if why else unexplained).append((service, region, ours, theirs, why))
    # Regions the SDK knows for DCS (the service every region has) that the catalog lacks.
    for region in SDK_TABLES["dcs"]:
        if region not in ours_regions:
            unexplained.append(("dcs", region, None, sdk_url("dcs", region), "region missing from the catalog"))
    for row in explained:
        print("explained:", *row)
    assert not unexplained, "\n".join(map(str, unexplained))
    assert matched > 60, f"only {matched} service endpoints agree"
    eu = next(r for r in catalog["regions"] if r["region"] == "eu-west-101")["services"]
    assert eu["iam"] == sdk_url("iam", "eu-west-101") == "https://iam.eu-west-101.myhuaweicloud.eu"
    assert eu["gemini-db"] == sdk_url("gemini-db", "eu-west-101")
    assert eu["dcs"] == sdk_url("dcs", "eu-west-101")


def test_other_clouds_print_their_catalog_with_null_where_a_service_is_not_offered():
    for cloud, regions in (("open-telekom-cloud", {"eu-de", "eu-nl"}), ("swiss-otc", {"eu-ch2"})):
        out = subprocess.run([certdesk_bin(), "endpoints", "--cloud", cloud, "--json"],
                             capture_output=True, text=True, timeout=60, check=True)
        catalog = json.loads(out.stdout)
        assert catalog["cloud"] == cloud and {r["region"] for r in catalog["regions"]} == regions
        for entry in catalog["regions"]:
            services = entry["services"]
            assert services["dcs"].endswith(".t-systems.com") and services["iam"].startswith("https://iam")
            assert services["gemini-db"] is None and services["ccm"] is None and services["scm"] is None
            assert entry["object_storage_suffix"] == "otc.t-systems.com"
