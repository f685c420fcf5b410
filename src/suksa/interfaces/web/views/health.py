"""A trivial liveness view: load balancers probe it, and benchmarks use it as their floor."""

from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
