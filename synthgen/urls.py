"""URLs: the public pages, the admin, and the API under /api/."""

from django.contrib import admin
from django.urls import include, path, re_path

from accounts import api as accounts_api
from accounts import views as accounts_views
from accounts.webhooks import urls as webhooks_urls
from generators import jobs_api
from synthgen import schema, views

JOB_ID = r"(?P<job_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"

handler400 = "synthgen.views.bad_request"

# /health/live and /health/ready are answered by synthgen.health.HealthCheckMiddleware, ahead
# of the host check and the HTTPS redirect that a load balancer's probe could not pass.
urlpatterns = [
    # First: the resolver tries patterns in order, and the metered endpoints are the hot path
    # (tried last, matching cost 2% of a charged request's CPU).
    path("api/", include("generators.urls")),
    path("", accounts_views.home, name="home"),
    path("docs/", views.docs, name="docs"),
    path("request-access/", accounts_views.request_access, name="request-access"),
    path(
        "request-access/thanks/",
        accounts_views.request_access_thanks,
        name="request-access-thanks",
    ),
    path("keys/reveal/<str:token>/", accounts_views.reveal_key, name="reveal-key"),
    path("account/", accounts_views.dashboard, name="portal-dashboard"),
    path("account/sign-in/", accounts_views.sign_in, name="portal-sign-in"),
    path("account/sign-in/sent/", accounts_views.sign_in_sent, name="portal-sign-in-sent"),
    path("account/sign-in/<str:token>/", accounts_views.sign_in_link, name="portal-sign-in-link"),
    path("account/sign-out/", accounts_views.sign_out, name="portal-sign-out"),
    path("account/keys/", accounts_views.keys, name="portal-keys"),
    path("account/keys/<int:key_id>/revoke/", accounts_views.revoke_key, name="portal-revoke-key"),
    path("account/keys/<int:key_id>/rotate/", accounts_views.rotate_key, name="portal-rotate-key"),
    path("account/plan/", accounts_views.plan, name="portal-plan"),
    path("account/jobs/", accounts_views.job_list, name="portal-jobs"),
    re_path(rf"^account/jobs/{JOB_ID}/$", accounts_views.job_detail, name="portal-job"),
    re_path(
        rf"^account/jobs/{JOB_ID}/cancel/$", accounts_views.cancel_job, name="portal-job-cancel"
    ),
    re_path(
        rf"^account/jobs/{JOB_ID}/download/$",
        accounts_views.download_job,
        name="portal-job-download",
    ),
    *webhooks_urls.portal_urlpatterns,
    path("admin/", admin.site.urls),
    re_path(r"^api/account/?$", accounts_api.AccountView.as_view(), name="api-account"),
    re_path(r"^api/jobs/?$", jobs_api.JobsView.as_view(), name="api-jobs"),
    re_path(rf"^api/jobs/{JOB_ID}/?$", jobs_api.JobView.as_view(), name="api-job"),
    re_path(
        rf"^api/jobs/{JOB_ID}/download/?$",
        jobs_api.JobDownloadView.as_view(),
        name="api-job-download",
    ),
    *webhooks_urls.api_urlpatterns,
    path("api/schema/", schema.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", schema.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
