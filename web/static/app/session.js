// Who is signed in on this device, their couple and their unread count. The browser holds only
// the session cookie (HttpOnly): no token and no user data is written to the device's storage.
import { ApiError, Offline, api, forgetCsrf } from "app/api.js";
import { outboxClear } from "app/outbox.js";
import { pushForgetDevice } from "app/push.js";
import { createStore } from "app/store.js";

// status: "loading", "signed-out", "signed-in" or "unreachable" (offline before we knew).
// couple: undefined while unknown, null when not paired.
export const session = createStore({ status: "loading", me: null, couple: undefined, unread: 0 });

export async function refreshSession() {
  try {
    const me = await api("/me");
    session.set({ status: "signed-in", me });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      session.set({ status: "signed-out", me: null, couple: undefined, unread: 0 });
      return;
    }
    if (error instanceof Offline && session.get().status === "loading") session.set({ status: "unreachable" });
    return;
  }
  await Promise.all([refreshCouple(), refreshUnread()]);
}

export async function refreshCouple() {
  try {
    session.set({ couple: await api("/couple") });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) session.set({ couple: null });
  }
}

export async function refreshUnread() {
  try {
    const page = await api("/notifications", { query: { unread: "true" } });
    session.set({ unread: page.unread_count });
  } catch (error) {
    // The badge waits for the next chance.
  }
}

/** After sign-up or sign-in: the session cookie is set and Django has rotated the CSRF token. */
export async function signedIn() {
  forgetCsrf();
  await refreshSession();
}

/** Signs out and clears everything the app keeps on this device. */
export async function signOut() {
  await clearDevice();
  try {
    await api("/auth/logout", { method: "POST" });
  } catch (error) {
    // Offline or already signed out: the device is clear either way.
  }
  forgetCsrf();
  session.set({ status: "signed-out", me: null, couple: undefined, unread: 0 });
}

/** What sign-out, leaving an account and a deleted account all do to this device. */
export async function clearDevice() {
  await pushForgetDevice();
  outboxClear();
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    for (const shown of (await registration?.getNotifications()) || []) shown.close();
  } catch (error) {
    // No service worker: nothing shown.
  }
  localStorage.clear();
  sessionStorage.clear();
}
