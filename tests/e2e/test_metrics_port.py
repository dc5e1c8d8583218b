"""What is public (issue 11 point 12): /metrics is not on the portal's port; Prometheus reads
the gateway's metrics, aggregated over every gunicorn worker, on METRICS_PORT, which no
Service, Ingress or compose port publishes. The real services and gunicorn gateway."""
import requests

from tests.support.system import eventually


def test_metrics_are_not_served_on_the_public_port(system):
    for path in ("/metrics", "/metrics/", "/api/v1/../metrics"):
        response = requests.get(system.url(path), timeout=10)
        assert response.status_code == 404, (path, response.status_code)
        assert "bizportal_http_requests_total" not in response.text


def test_the_metrics_port_serves_every_workers_requests(system):
    for _ in range(10):
        assert requests.get(system.url("/healthz"), timeout=10).status_code == 200

    def counted():
        text = requests.get(system.metrics_url, timeout=10).text
        return 'bizportal_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert eventually(counted, timeout=10)
