from django.urls import path

from couples import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/csrf", views.CsrfView.as_view(), name="csrf"),
    path("changes", views.ChangesView.as_view(), name="changes"),
    path("me/devices", views.DevicesView.as_view(), name="me-devices"),
    path("me/devices/<int:device_id>", views.DeviceView.as_view(), name="me-device"),
    path("couple", views.CoupleView.as_view(), name="couple"),
    path("couple/invites", views.InviteView.as_view(), name="couple-invites"),
]
