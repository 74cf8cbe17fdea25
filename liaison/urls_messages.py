"""Liaison pages: Messages to the victim drafted from templates (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

from django.urls import path

from liaison.views import messages

urlpatterns = [
    path("records/<int:pk>/messages/", messages.messages_list, name="messages"),
    path("records/<int:pk>/messages/new/", messages.message_new, name="message_new"),
    path("messages/<int:pk>/", messages.message_page, name="message"),
    path("messages/<int:pk>/edit/", messages.message_edit, name="message_edit"),
    path("messages/<int:pk>/sent/", messages.message_mark_sent, name="message_mark_sent"),
]
