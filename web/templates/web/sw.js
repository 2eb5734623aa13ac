// Tandem's service worker: starts the app shell offline, shows pushes, opens what they are about.
// Release {{ release }}. The API's answers are never cached here: a shared or lost phone must not
// show anyone a partner's answers, so only the shell (no user data in it) is kept.
const RELEASE = "{{ release }}";
const SHELL_CACHE = `tandem-shell-${RELEASE}`;
const PRECACHE = {{ precache_json|safe }};
const PRECACHED = new Set(PRECACHE.map((path) => new URL(path, self.location.origin).href));
// The app's screens (web/urls.py): only these navigations are answered with the shell; every
// other path (the API, the admin, a page of the server's) goes to the server.
const SCREEN_PATH = new RegExp({{ screen_pattern_json|safe }});

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL_CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// Activate's claim takes only the pages already running: one whose load began before this worker
// was active and ended after that claim is left out, so it asks once it runs (main.js).
self.addEventListener("message", (event) => {
  if (event.data?.type === "claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && SCREEN_PATH.test(url.pathname)) {
    // Every screen is the same shell, which routes itself: the cached one starts at once, online
    // or not; a new release arrives with a new worker.
    event.respondWith(caches.match("/", { cacheName: SHELL_CACHE }).then((shell) => shell || fetch(request)));
    return;
  }
  if (PRECACHED.has(url.href)) {
    event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)));
  }
  // Everything else, the API above all, goes to the network untouched and is never stored.
});

function readPayload(event) {
  try {
    return event.data ? event.data.json() : {};
  } catch (error) {
    return {};
  }
}

// Besides the notification, the app's open windows are told (app/live.js asks what changed).
function tellWindows(kind) {
  return self.clients
    .matchAll({ type: "window" })
    .then((windows) => windows.forEach((client) => client.postMessage({ type: "push", kind })));
}

self.addEventListener("push", (event) => {
  const payload = readPayload(event);
  const title = payload.title || "Tandem";
  event.waitUntil(Promise.all([
    tellWindows(typeof payload.kind === "string" ? payload.kind : null),
    self.registration.showNotification(title, {
      body: payload.body || "",
      tag: payload.tag || undefined,
      data: { url: payload.url || "/inbox", id: payload.id ?? null },
      icon: PRECACHE.find((path) => path.includes("icon-192")),
      badge: PRECACHE.find((path) => path.includes("icon-192")),
    }),
  ]));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/inbox", self.location.origin);
  // Only ever open a page of this app, whatever a payload says.
  const url = target.origin === self.location.origin ? target.href : new URL("/inbox", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        return open.navigate(url).catch(() => open.postMessage({ type: "open", url }));
      }
      return self.clients.openWindow(url);
    }),
  );
});

async function csrfToken() {
  const response = await fetch("/api/v1/auth/csrf", { credentials: "same-origin" });
  return (await response.json()).csrf_token;
}

/** The server's VAPID key, or null when it has none (503: email stays the way to remind). */
async function vapidKey() {
  const response = await fetch("/api/v1/push/vapid-public-key", { credentials: "same-origin" });
  return response.ok ? (await response.json()).public_key || null : null;
}

self.addEventListener("pushsubscriptionchange", (event) => {
  // The push service replaced or dropped the subscription: make a new one and tell Tandem, so
  // reminders keep arriving without the person doing anything. Offline, this fails; the app
  // registers the new subscription the next time Settings looks (push.js, pushState).
  event.waitUntil(
    (async () => {
      let subscription = event.newSubscription;
      if (!subscription) {
        const key = event.oldSubscription?.options?.applicationServerKey || (await vapidKey());
        if (!key) return;
        subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }
      const response = await fetch("/api/v1/push/subscriptions", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": await csrfToken() },
        body: JSON.stringify(subscription.toJSON()),
      });
      // Nobody is signed in here any more: nothing may arrive for them on this device.
      if (response.status === 401 || response.status === 403) await subscription.unsubscribe();
    })(),
  );
});
