// The app: the frame around every screen (offline notice, navigation), the table of screens by
// path, and the service worker's registration.
import { render } from "preact";
import { useEffect } from "preact/hooks";

import { connection } from "app/connection.js";
import { start } from "app/data.js";
import { startLive } from "app/live.js";
import { Link, match, navigate, route } from "app/router.js";
import { Home } from "app/screens/home.js";
import { SignIn, SignUp } from "app/screens/auth.js";
import { ConfirmEmail, ForgotPassword, ResetPassword } from "app/screens/account.js";
import { Pair, Join } from "app/screens/pair.js";
import { Schedule } from "app/screens/schedule.js";
import { Checkin, RoundScreen } from "app/screens/checkin.js";
import { History } from "app/screens/history.js";
import { Discussions, DiscussionScreen } from "app/screens/discussions.js";
import { Inbox, OpenNotification } from "app/screens/inbox.js";
import { Settings } from "app/screens/settings.js";
import { refreshCouple, refreshSession, session } from "app/session.js";
import { useStore } from "app/store.js";
import { Loading, announce, html } from "app/ui.js";

// The tab bar: [path, label]. Every screen belongs to one tab (SCREENS), marked as current there.
const TABS = [
  ["/", "Home"],
  ["/history", "History"],
  ["/discussions", "Talks"],
  ["/inbox", "Inbox"],
  ["/settings", "Settings"],
];

// [pattern, screen, who may see it, its tab]: who is "anyone", "signed-out" (sends the signed-in
// home) or "signed-in"; the tab is the one the screen is reached from and marked in the tab bar.
// A past check-in belongs to History wherever it was opened from; the open one to Home.
const SCREENS = [
  ["/", Home, "anyone", "/"],
  ["/signin", SignIn, "signed-out", "/"],
  ["/signup", SignUp, "signed-out", "/"],
  ["/forgot-password", ForgotPassword, "signed-out", "/"],
  ["/reset-password", ResetPassword, "anyone", "/"],
  ["/confirm-email", ConfirmEmail, "anyone", "/"],
  ["/join", Join, "anyone", "/"],
  ["/pair", Pair, "signed-in", "/"],
  ["/schedule", Schedule, "signed-in", "/settings"],
  ["/checkin", Checkin, "signed-in", "/"],
  ["/checkins/:id", RoundScreen, "signed-in", "/history"],
  ["/history", History, "signed-in", "/history"],
  ["/discussions", Discussions, "signed-in", "/discussions"],
  ["/discussions/:id", DiscussionScreen, "signed-in", "/discussions"],
  ["/inbox", Inbox, "signed-in", "/inbox"],
  ["/notifications/:id", OpenNotification, "signed-in", "/inbox"],
  ["/settings", Settings, "signed-in", "/settings"],
];

// What starts from the device's copy alone (data.js), before the server has answered: the screens
// that are about the open check-in. The others wait for the server.
const FROM_DEVICE = new Set([Home, Checkin]);

function screenFor(path) {
  for (const [pattern, screen, audience, tab] of SCREENS) {
    const params = match(pattern, path);
    if (params) return { screen, audience, params, tab };
  }
  return null;
}

function OfflineNotice() {
  const { online } = useStore(connection);
  useEffect(() => {
    if (!online) announce(OFFLINE);
  }, [online]);
  return html`<div class="offline-notice">${online ? null : OFFLINE}</div>`;
}
const OFFLINE = "You are offline. A check-in answer is kept on this device and sent when the connection is back.";

function Navigation({ unread, tab }) {
  return html`<nav class="tabs" aria-label="Main">
    ${TABS.map(([href, label]) => html`<${Link} href=${href} aria-current=${tab === href ? "page" : undefined}>
      <span class="tab-label">${label}</span>${href === "/inbox" && unread > 0
        ? html`<span class="badge"><span class="visually-hidden">, </span>${unread}<span class="visually-hidden"> unread</span></span>`
        : null}
    <//>`)}
  </nav>`;
}

/** A screen that needs the server, while only the device's copy is known. */
function Waiting() {
  const { online } = useStore(connection);
  return html`<section class="page"><h1>Tandem</h1>
    ${online
      ? html`<p class="loading" aria-busy="true">Opening Tandem…</p>`
      : html`<p>This screen needs the connection, and opens by itself when it is back. Your check-in works offline.</p>
          <p><${Link} href="/checkin">Go to your check-in<//></p>`}
  </section>`;
}

/** Goes to `to` once rendered (never from inside a render). */
function Redirect({ to }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function App() {
  const state = useStore(session);
  const { path, query } = useStore(route);
  const found = screenFor(path);

  if (state.status === "loading") {
    return html`<main class="page" aria-busy="true"><p class="loading">Opening Tandem…</p></main>`;
  }
  let body;
  if (state.status === "unreachable") {
    body = html`<section class="page"><h1>Tandem</h1>
      <p>${state.problem}</p>
      <p>Tandem needs its server once to know who you are, and opens by itself as soon as it answers.</p>
      <button class="button button-secondary" type="button" onClick=${refreshSession}>Try again</button></section>`;
  } else if (!found) {
    body = html`<section class="page"><h1>Nothing here</h1><p><${Link} href="/">Go to the start</${Link}></p></section>`;
  } else if (found.audience === "signed-in" && state.status !== "signed-in") {
    body = html`<${SignIn} next=${path + (query.toString() ? `?${query}` : "")} />`;
  } else if (state.status === "signed-in" && state.couple === undefined && state.coupleProblem) {
    // Every signed-in screen needs to know the couple; asking failed (offline or 5xx).
    body = html`<section class="page"><h1>Tandem</h1><${Loading} error=${state.coupleProblem} retry=${refreshCouple} /></section>`;
  } else if (found.audience === "signed-out" && state.status === "signed-in") {
    // From the device's copy, a sign-in form stays until the server says who is signed in.
    body = state.fromDevice ? html`<${found.screen} ...${found.params} query=${query} />` : html`<${Redirect} to="/" />`;
  } else if (state.fromDevice && !FROM_DEVICE.has(found.screen)) {
    body = html`<${Waiting} />`;
  } else {
    const Screen = found.screen;
    body = html`<${Screen} ...${found.params} query=${query} />`;
  }
  const signedIn = state.status === "signed-in";
  return html`
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="top">
      <${Link} class="brand" href="/">Tandem<//>
    </header>
    <${OfflineNotice} />
    <main id="main" tabindex="-1" class=${signedIn ? "with-tabs" : ""}>${body}</main>
    ${signedIn ? html`<${Navigation} unread=${state.unread} tab=${found?.tab} />` : null}
  `;
}

// A notification clicked while the app is open, where the worker could not navigate the window.
navigator.serviceWorker?.addEventListener("message", (event) => {
  if (event.data?.type === "open" && typeof event.data.url === "string") navigate(event.data.url);
});

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // No worker (a private window, say): the app still runs, just not offline.
  });
  // A page that loaded while the worker was being installed can miss the worker's claim (sw.js):
  // uncontrolled, it would not be told of pushes. It asks the active worker to claim it.
  navigator.serviceWorker.ready.then((registration) => {
    if (!navigator.serviceWorker.controller) registration.active?.postMessage({ type: "claim" });
  });
}

render(html`<${App} />`, document.getElementById("app"));
// From the device's copy first, when this person signed in here before (so the app opens offline
// on the screen it would show online); then from the server, and again whenever it answers after
// being out of reach (data.js), which is also when a sign-out made offline reaches it.
start();
startLive();
