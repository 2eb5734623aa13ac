// Who is signed in on this device, their couple and their unread count, and what signing in and
// out does to the device. The browser holds the session cookie (HttpOnly), never a token. What the
// app keeps on the device (data.js's copy to start offline, outbox.js's answers waiting to be sent,
// push.js's subscription) is wiped here at sign-out (`clearDevice`).
import { ApiError, api, forgetCsrf, isSignedOut, onSessionEnded } from "app/api.js";
import { outboxClear, outboxKeepOnlyFor } from "app/outbox.js";
import { pushForgetDevice } from "app/push.js";
import { createStore } from "app/store.js";

// Set while a sign-out has not reached the server yet (it was made offline): the session cookie,
// which only the server can end, must not sign anyone in again on this device.
const SIGN_OUT_PENDING = "tandem.sign-out-pending";
const SIGNED_OUT = {
  status: "signed-out", me: null, couple: undefined, coupleProblem: null, unread: 0, problem: null, fromDevice: false,
};

// status: "loading", "signed-out", "signed-in" or "unreachable" (the server did not answer before
// we knew; `problem` says why). couple: undefined while unknown (`coupleProblem` says why, when
// asking failed), null when not paired. fromDevice: what is shown is the device's copy (data.js),
// while the server has not answered yet.
export const session = createStore({ ...SIGNED_OUT, status: "loading" });

// The server says nobody is signed in any more (the session expired or ended elsewhere): the
// screen asks for a sign-in where the person stands.
onSessionEnded(() => {
  if (session.get().status === "signed-in") session.set(SIGNED_OUT);
});

export async function refreshSession() {
  if (signOutPending() && !(await endServerSession())) {
    session.set(SIGNED_OUT);
    return;
  }
  try {
    const me = await api("/me");
    session.set({ status: "signed-in", me, problem: null });
  } catch (error) {
    if (isSignedOut(error)) {
      session.set(SIGNED_OUT);
    } else if (session.get().status !== "signed-in") {
      // Offline, or the server is in trouble (5xx): say so, and try again when it answers.
      session.set({ status: "unreachable", problem: error.message });
    }
    return;
  }
  await Promise.all([refreshCouple(), refreshUnread()]);
  // The person and the couple are the server's now, no longer the device's copy.
  if (session.get().fromDevice && session.get().couple !== undefined && !session.get().coupleProblem) {
    session.set({ fromDevice: false });
  }
}

export async function refreshCouple() {
  try {
    session.set({ couple: await api("/couple"), coupleProblem: null });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) session.set({ couple: null, coupleProblem: null });
    // Offline or 5xx: the screens waiting for it say so (main.js) instead of loading for ever.
    else if (session.get().couple === undefined) session.set({ coupleProblem: error });
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
  forgetSignOutPending(); // the new sign-in replaced the session a sign-out could not end
  forgetCsrf();
  await refreshSession();
  // Answers another person left waiting on this device are never theirs to see or send.
  const { me } = session.get();
  if (me) outboxKeepOnlyFor(me.id);
}

/** After the account is deleted (and its session with it): nothing of it stays on this device. */
export async function accountDeleted() {
  await clearDevice();
  forgetCsrf();
  session.set(SIGNED_OUT);
}

/** Signs out and clears everything the app keeps on this device. */
export async function signOut() {
  await clearDevice();
  try {
    localStorage.setItem(SIGN_OUT_PENDING, "1");
  } catch (error) {
    // Storage refused: the sign-out below is the only try.
  }
  await endServerSession();
  session.set(SIGNED_OUT);
}

function signOutPending() {
  try {
    return localStorage.getItem(SIGN_OUT_PENDING) !== null;
  } catch (error) {
    return false;
  }
}

function forgetSignOutPending() {
  try {
    localStorage.removeItem(SIGN_OUT_PENDING);
  } catch (error) {
    // Nothing was kept.
  }
}

/** Ends the session on the server; false when it could not be reached (the sign-out waits). */
async function endServerSession() {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch (error) {
    if (!isSignedOut(error)) return false; // offline or 5xx; "already signed out" is done
  }
  forgetSignOutPending();
  forgetCsrf();
  return true;
}

/** What leaving the couple does to this device: nothing of the couple's waits or shows here. */
export async function clearCoupleFromDevice() {
  outboxClear();
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    for (const shown of (await registration?.getNotifications()) || []) shown.close();
  } catch (error) {
    // No service worker: nothing shown.
  }
}

/** What sign-out and a deleted account do to this device. */
export async function clearDevice() {
  await pushForgetDevice();
  await clearCoupleFromDevice();
  localStorage.clear();
  sessionStorage.clear();
}
