// Whether Tandem's server can be reached, learnt from the requests themselves (navigator.onLine
// says only that some network is up). When a request fails for want of a network, a light probe
// runs every few seconds until one answers; listeners hear each change.
import { createStore } from "app/store.js";

const PROBE_SECONDS = 5;
export const connection = createStore({ online: true });
const backOnline = new Set();
let probe = null;

export function markOffline() {
  if (connection.get().online) connection.set({ online: false });
  if (!probe) probe = setInterval(checkNow, PROBE_SECONDS * 1000);
}

export function markOnline() {
  if (probe) {
    clearInterval(probe);
    probe = null;
  }
  if (!connection.get().online) {
    connection.set({ online: true });
    for (const listener of backOnline) listener();
  }
}

/** Calls `listener` each time the server answers again after being out of reach. */
export function onBackOnline(listener) {
  backOnline.add(listener);
  return () => backOnline.delete(listener);
}

export async function checkNow() {
  try {
    await fetch("/api/v1/auth/csrf", { credentials: "same-origin", cache: "no-store" });
    markOnline();
  } catch (error) {
    markOffline();
  }
}

// The browser's own hint is only a reason to look again, never the answer.
addEventListener("online", checkNow);
