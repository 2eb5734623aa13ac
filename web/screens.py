"""The app's screens by path: the one list that the server's routes (web/urls.py) and the service
worker's own routing (web/views.py writes it into sw.js) both read."""

# The app routes the same paths itself (SCREENS in web/static/app/main.js; a test holds the two together).
SCREENS = [
    "",
    "signin",
    "signup",
    "join",
    "pair",
    "schedule",
    "checkin",
    "history",
    "discussions",
    "inbox",
    "settings",
    "forgot-password",
    "reset-password",
    "confirm-email",
]

# Screens that show one thing, by its id.
SCREENS_BY_ID = {"checkins": "round", "discussions": "discussion", "notifications": "notification"}
# Every screen's path as one regular expression: the service worker answers exactly these
# navigations with the shell, and leaves every other path (the API, the admin, a page the server
# adds later) to the server.
SCREEN_PATH_PATTERN = f"^/(?:{'|'.join(SCREENS)})$|^/(?:{'|'.join(SCREENS_BY_ID)})/[0-9]+$"
