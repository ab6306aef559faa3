"""Account routes in front of allauth's (same paths, checked first) and the API tokens page."""

from django.urls import path

from practica.accounts import views

app_name = "accounts"

# Unnamed: allauth's names (account_login, account_signup, account_reset_password) still reverse to these paths.
overrides = [
    path("accounts/login/", views.login),
    path("accounts/signup/", views.signup),
    path("accounts/password/reset/", views.password_reset),
    path("admin/login/", views.admin_login),
]

urlpatterns = [
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
