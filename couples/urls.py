from django.urls import path

from couples import views

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/csrf", views.CsrfView.as_view(), name="csrf"),
    path("auth/passkey/options", views.PasskeySignInOptionsView.as_view(), name="passkey-sign-in-options"),
    path("auth/passkey", views.PasskeySignInView.as_view(), name="passkey-sign-in"),
    path("me/passkeys/options", views.PasskeyAddOptionsView.as_view(), name="passkey-add-options"),
    path("me/passkeys", views.PasskeysView.as_view(), name="passkeys"),
    path("me/passkeys/<int:passkey_id>", views.PasskeyView.as_view(), name="passkey"),
    path("auth/password-reset/confirm", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("me/password", views.PasswordView.as_view(), name="me-password"),
    path("changes", views.ChangesView.as_view(), name="changes"),
    path("me/devices", views.DevicesView.as_view(), name="me-devices"),
    path("me/devices/<int:device_id>", views.DeviceView.as_view(), name="me-device"),
    path("couple", views.CoupleView.as_view(), name="couple"),
    path("couple/invites", views.InviteView.as_view(), name="couple-invites"),
]
