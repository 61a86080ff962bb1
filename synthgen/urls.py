"""URLs: the public pages, the admin, and the API under /api/."""

from django.contrib import admin
from django.urls import include, path, re_path

from accounts import api as accounts_api
from accounts import views as accounts_views
from synthgen import views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("docs/", views.docs, name="docs"),
    path("request-access/", accounts_views.request_access, name="request-access"),
    path(
        "request-access/thanks/",
        accounts_views.request_access_thanks,
        name="request-access-thanks",
    ),
    path("keys/reveal/<str:token>/", accounts_views.reveal_key, name="reveal-key"),
    path("admin/", admin.site.urls),
    re_path(r"^api/account/?$", accounts_api.AccountView.as_view(), name="api-account"),
    path("api/", include("generators.urls")),
]
