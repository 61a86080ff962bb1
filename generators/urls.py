"""The generation endpoints, with or without a trailing slash."""

from django.urls import re_path

from generators import api

urlpatterns = [
    re_path(r"^feedback/generate/?$", api.FeedbackView.as_view(), name="api-feedback"),
    re_path(r"^interviews/generate/?$", api.InterviewView.as_view(), name="api-interviews"),
    re_path(r"^tickets/generate/?$", api.TicketView.as_view(), name="api-tickets"),
    re_path(r"^datasets/generate/?$", api.DatasetView.as_view(), name="api-datasets"),
]
