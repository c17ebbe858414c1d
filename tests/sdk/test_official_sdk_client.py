"""The official Huawei Cloud SDK clients, pointed at `certdesk sim`, call every operation certdesk
uses. If the simulator's routes, signature check, pagination or field names were wrong, the
official SDK would fail to authenticate or to parse."""

import io
import urllib.request
import zipfile

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkccm.v1 import (CcmClient, ExportCertificateAuthorityCertificateRequest,
                                  ExportCertificateRequest, ExportCertificateRequestBody,
                                  ListCertificateAuthorityRequest, ListCertificateRequest,
                                  ShowCertificateAuthorityRequest, ShowCertificateRequest)
from huaweicloudsdkdcs.v2 import (DcsClient, DownloadSslCertRequest, ListInstancesRequest,
                                  ShowInstanceSslDetailRequest)
from huaweicloudsdkgaussdbfornosql.v3 import GaussDBforNoSQLClient
from huaweicloudsdkgaussdbfornosql.v3 import ListInstancesRequest as GeminiListInstancesRequest
from huaweicloudsdkgaussdbfornosql.v3 import ListSslCertDownloadAddressesRequest


def config():
    cfg = HttpConfig.get_default_config()
    cfg.retry_times = 0
    return cfg


def dcs_client(sim, region, sk=None):
    creds = BasicCredentials(sim["ak"], sk or sim["sk"], sim["project_ids"][region])
    return DcsClient.new_builder().with_http_config(config()).with_credentials(creds) \
        .with_endpoints([sim["endpoint"]]).build()


def gemini_client(sim, region):
    creds = BasicCredentials(sim["ak"], sim["sk"], sim["project_ids"][region])
    return GaussDBforNoSQLClient.new_builder().with_http_config(config()).with_credentials(creds) \
        .with_endpoints([sim["endpoint"]]).build()


def ccm_client(sim):
    creds = GlobalCredentials(sim["ak"], sim["sk"], sim["domain_id"])
    return CcmClient.new_builder().with_http_config(config()).with_credentials(creds) \
        .with_endpoints([sim["endpoint"]]).build()


def fetch(link):
    # A presigned link: a plain GET with no credentials.
    with urllib.request.urlopen(link, timeout=10) as resp:
        return resp.read()


def test_dcs_list_pages_ssl_and_download(sim):
    region = sim["regions"][0]
    client = dcs_client(sim, region)
    first = client.list_instances(ListInstancesRequest(offset=0, limit=1000))
    assert first.instance_num == len(first.instances) > 0
    paged, offset = [], 0
    while offset < first.instance_num:
        page = client.list_instances(ListInstancesRequest(offset=offset, limit=3))
        assert page.instance_num == first.instance_num
        paged += page.instances
        offset += len(page.instances)
    assert [i.instance_id for i in paged] == [i.instance_id for i in first.instances]
    states = set()
    for inst in first.instances:
        assert inst.name and inst.engine and inst.port == 6379
        if not inst.features.support_ssl:
            with pytest.raises(ClientRequestException) as err:
                client.show_instance_ssl_detail(ShowInstanceSslDetailRequest(instance_id=inst.instance_id))
            assert err.value.error_code == "DCS.4201"
            states.add("unsupported")
            continue
        detail = client.show_instance_ssl_detail(ShowInstanceSslDetailRequest(instance_id=inst.instance_id))
        if detail.enabled:
            states.add("on")
            assert detail.ssl_expired_at.endswith("Z") and detail.port == "6379"
            link = client.download_ssl_cert(DownloadSslCertRequest(instance_id=inst.instance_id))
            assert link.file_name.endswith(".zip") and link.bucket_name
            archive = zipfile.ZipFile(io.BytesIO(fetch(link.link)))
            assert archive.namelist() == ["ca.crt"]
            assert archive.read("ca.crt").startswith(b"-----BEGIN CERTIFICATE-----")
        else:
            states.add("off")
    assert {"on", "unsupported"} <= states


def test_dcs_rejects_a_wrong_secret_with_the_gateway_error(sim):
    client = dcs_client(sim, sim["regions"][0], sk="wrong-secret-key")
    with pytest.raises(ClientRequestException) as err:
        client.list_instances(ListInstancesRequest(limit=10))
    assert err.value.status_code == 401
    assert err.value.error_code == "APIG.0301"
    assert err.value.request_id


def test_dcs_invalid_offset_is_dcs_4800(sim):
    client = dcs_client(sim, sim["regions"][0])
    with pytest.raises(ClientRequestException) as err:
        client.list_instances(ListInstancesRequest(offset=-1, limit=10))
    assert err.value.error_code == "DCS.4800"


def test_geminidb_list_and_download_link(sim):
    for region in sim["regions"]:
        client = gemini_client(sim, region)
        listed = client.list_instances(GeminiListInstancesRequest(offset=0, limit=100))
        assert listed.total_count == len(listed.instances) > 0
        page = client.list_instances(GeminiListInstancesRequest(offset=1, limit=1))
        assert page.instances[0].id == listed.instances[1].id
        for inst in listed.instances:
            assert inst.datastore.type and inst.port and inst.ssl in ("0", "1")
            if inst.ssl == "1":
                links = client.list_ssl_cert_download_addresses(ListSslCertDownloadAddressesRequest(instance_id=inst.id))
                assert links.certs[0].category == "international"
                assert fetch(links.certs[0].download_link).startswith(b"-----BEGIN CERTIFICATE-----")


def test_ccm_lists_shows_and_exports(sim):
    client = ccm_client(sim)
    listed = client.list_certificate(ListCertificateRequest(limit=1000, offset=0))
    assert listed.total == len(listed.certificates) > 0
    issued = client.list_certificate(ListCertificateRequest(limit=50, status="ISSUED", sort_key="not_after", sort_dir="ASC"))
    after = [c.not_after for c in issued.certificates]
    assert after == sorted(after) and all(c.status == "ISSUED" for c in issued.certificates)
    cert = next(c for c in issued.certificates if c.gen_mode != "CSR")
    shown = client.show_certificate(ShowCertificateRequest(certificate_id=cert.certificate_id))
    assert shown.distinguished_name.common_name == cert.distinguished_name.common_name
    body = ExportCertificateRequestBody(is_compressed="false", type="NGINX")
    exported = client.export_certificate(ExportCertificateRequest(certificate_id=cert.certificate_id, body=body))
    assert "-----BEGIN CERTIFICATE-----\r\n" in exported.certificate
    assert "PRIVATE KEY" in exported.private_key
    assert exported.certificate_chain.count("BEGIN CERTIFICATE") == 2
    cas = client.list_certificate_authority(ListCertificateAuthorityRequest(limit=10))
    assert cas.total == 2
    for ca in cas.certificate_authorities:
        assert client.show_certificate_authority(ShowCertificateAuthorityRequest(ca_id=ca.ca_id)).ca_id == ca.ca_id
        ca_pem = client.export_certificate_authority_certificate(ExportCertificateAuthorityCertificateRequest(ca_id=ca.ca_id))
        assert ca_pem.certificate.startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(ClientRequestException) as err:
        client.show_certificate(ShowCertificateRequest(certificate_id="00000000-0000-0000-0000-000000000000"))
    assert err.value.status_code == 404


def elb_client(sim, region, version="v3"):
    creds = BasicCredentials(sim["ak"], sim["sk"], sim["project_ids"][region])
    if version == "v3":
        from huaweicloudsdkelb.v3 import ElbClient
    else:
        from huaweicloudsdkelb.v2 import ElbClient
    return ElbClient.new_builder().with_http_config(config()).with_credentials(creds) \
        .with_endpoints([sim["endpoint"]]).build()


def scm_client(sim):
    from huaweicloudsdkscm.v3 import ScmClient
    creds = GlobalCredentials(sim["ak"], sim["sk"], sim["domain_id"])
    return ScmClient.new_builder().with_http_config(config()).with_credentials(creds) \
        .with_endpoints([sim["endpoint"]]).build()


def test_elb_certificates_page_by_marker_in_both_apis_and_listeners_name_them(sim):
    from huaweicloudsdkelb.v3 import (ListCertificatesRequest, ListListenersRequest,
                                      ShowCertificateRequest)
    from huaweicloudsdkelb.v2 import ListCertificatesRequest as SharedListRequest
    region = sim["regions"][0]
    client = elb_client(sim, region)
    whole = client.list_certificates(ListCertificatesRequest(limit=2000))
    assert whole.certificates and whole.page_info.next_marker is None
    paged, marker = [], None
    while True:
        page = client.list_certificates(ListCertificatesRequest(limit=1, marker=marker))
        paged += page.certificates
        marker = page.page_info.next_marker
        if marker is None:
            break
    assert [c.id for c in paged] == [c.id for c in whole.certificates]
    for cert in whole.certificates:
        assert cert.type in ("server", "client") and cert.expire_time.endswith("Z")
        assert cert.certificate.startswith("-----BEGIN CERTIFICATE-----")
        shown = client.show_certificate(ShowCertificateRequest(certificate_id=cert.id)).certificate
        assert shown.id == cert.id and shown.certificate == cert.certificate
    listeners = client.list_listeners(ListListenersRequest(limit=2000)).listeners
    ids = {c.id for c in whole.certificates}
    assert listeners and all(l.default_tls_container_ref in ids for l in listeners)
    shared = elb_client(sim, region, "v2").list_certificates(SharedListRequest(limit=100))
    assert shared.instance_num == len(shared.certificates) > 0
    assert not ids & {c.id for c in shared.certificates}, "each certificate is in one API"
    with pytest.raises(ClientRequestException) as err:
        client.list_certificates(ListCertificatesRequest(limit=1, marker="no-such-id"))
    assert err.value.status_code == 400


def test_scm_lists_every_page_shows_and_exports(sim):
    from huaweicloudsdkscm.v3 import (ExportCertificateRequest, ListCertificatesRequest,
                                      ShowCertificateRequest)
    client = scm_client(sim)
    first = client.list_certificates(ListCertificatesRequest(limit=50, offset=0, status="ALL"))
    assert first.total_count == len(first.certificates) > 0
    paged, offset = [], 0
    while offset < first.total_count:
        page = client.list_certificates(ListCertificatesRequest(limit=10, offset=offset))
        paged += page.certificates
        offset += len(page.certificates)
    assert [c.id for c in paged] == [c.id for c in first.certificates]
    with pytest.raises(ClientRequestException) as err:
        client.list_certificates(ListCertificatesRequest(limit=7))
    assert err.value.status_code == 400
    issued = [c for c in first.certificates if c.status == "ISSUED"]
    assert issued and all(c.expire_time and c.id.startswith("scs") for c in first.certificates)
    cert = next(c for c in issued if c.deploy_support)
    shown = client.show_certificate(ShowCertificateRequest(certificate_id=cert.id))
    assert shown.domain == cert.domain and shown.not_after
    exported = client.export_certificate(ExportCertificateRequest(certificate_id=cert.id))
    assert exported.certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert exported.certificate_chain and "PRIVATE KEY" in exported.private_key
    assert exported.entire_certificate.startswith(exported.certificate)
    without = next(c for c in issued if not c.deploy_support)
    assert client.export_certificate(ExportCertificateRequest(certificate_id=without.id)).private_key in ("", None)
    revoked = next(c for c in first.certificates if c.status != "ISSUED")
    with pytest.raises(ClientRequestException) as err:
        client.export_certificate(ExportCertificateRequest(certificate_id=revoked.id))
    assert err.value.error_code == "SCM.0310"
