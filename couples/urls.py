from django.urls import path

from couples import views

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/csrf", views.CsrfView.as_view(), name="csrf"),
    path("auth/password-reset/confirm", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("me/password", views.PasswordView.as_view(), name="me-password"),
    path("changes", views.ChangesView.as_view(), name="changes"),
    path("couple", views.CoupleView.as_view(), name="couple"),
    path("couple/invites", views.InviteView.as_view(), name="couple-invites"),
]
