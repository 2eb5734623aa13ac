// Web Push on this device: subscribe (only after the person taps, never on load), unsubscribe,
// and forget the device at sign-out. The device keeps only which subscription is its own
// ({id, endpoint} under "tandem.push"), so sign-out can tell Tandem to stop sending to it.
import { ApiError, api } from "app/api.js";

const STORED = "tandem.push";
// Some browsers (offline, or without a push service) never settle pushManager.subscribe().
const PUSH_SERVICE_SECONDS = 10;

/** Why push could not be turned on, in words to show: `reason` is "unsupported", "denied",
 * "dismissed", "unavailable" (the server has no VAPID key) or "timeout". */
export class PushProblem extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

export function pushSupported() {
  return typeof window !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function storedSubscription() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORED) || "null");
    return stored && typeof stored.id === "number" ? stored : null;
  } catch (error) {
    return null;
  }
}

function forgetStored() {
  try {
    localStorage.removeItem(STORED);
  } catch (error) {
    // Storage refused (a private window): nothing was kept.
  }
}

/** The VAPID key is base64url text; the push manager wants its bytes. */
function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
}

/** `promise`, or a PushProblem("timeout") after `seconds`; `onLate` gets a result that comes too late. */
function within(promise, seconds, onLate) {
  let timer;
  let timedOut = false;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new PushProblem("timeout", "Could not reach the push service. Email reminders stay on."));
    }, seconds * 1000);
  });
  promise.then((late) => timedOut && onLate?.(late), () => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** This browser's push subscription, or null; never waits for a worker that is not there. */
async function browserSubscription() {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) || null;
}

/** The server's VAPID public key. A server without one answers 503 with its reason, which
 * comes back as PushProblem("unavailable"); offline and other failures as the API's errors. */
async function serverKey() {
  let body;
  try {
    body = await api("/push/vapid-public-key");
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) throw new PushProblem("unavailable", error.message);
    throw error;
  }
  if (!body?.public_key) {
    throw new PushProblem("unavailable", "Push notifications are not available on this Tandem server. Email reminders will be used.");
  }
  return body.public_key;
}

/** Tells Tandem about `subscription` (the same endpoint twice is one) and keeps its id here. */
async function register(subscription) {
  const saved = await api("/push/subscriptions", { method: "POST", body: subscription.toJSON() });
  const stored = { id: saved.id, endpoint: saved.endpoint };
  try {
    localStorage.setItem(STORED, JSON.stringify(stored));
  } catch (error) {
    // Storage refused: push still works; sign-out just cannot name this subscription.
  }
  return stored;
}

/**
 * Where push stands on this device: `{supported, permission, subscribed, unavailable}`.
 * `subscribed` means this browser has a subscription that Tandem knows about (one this device
 * registered); `unavailable` is the server's reason when it cannot send pushes at all, else null.
 */
export async function pushState() {
  if (!pushSupported()) return { supported: false, permission: "unsupported", subscribed: false, unavailable: null };
  const permission = Notification.permission;
  let unavailable = null;
  try {
    await serverKey();
  } catch (error) {
    // Offline or a passing failure: it is asked again when the person taps.
    if (error instanceof PushProblem) unavailable = error.message;
  }
  let subscribed = false;
  try {
    const subscription = await browserSubscription();
    let stored = storedSubscription();
    if (subscription && stored && stored.endpoint !== subscription.endpoint && permission === "granted") {
      // The push service replaced this device's subscription (sw.js tells Tandem at once, but
      // may have been offline): make sure Tandem has the new one, and sign-out can name it.
      stored = await register(subscription).catch(() => stored);
    }
    subscribed = Boolean(subscription && stored && stored.endpoint === subscription.endpoint) && permission === "granted";
  } catch (error) {
    subscribed = false;
  }
  return { supported: true, permission, subscribed, unavailable };
}

/**
 * Asks for permission, subscribes this browser and registers the subscription with Tandem, then
 * turns the push preference on. Call it straight from a tap: the permission prompt needs one.
 * Throws PushProblem (or the API's errors) with words to show.
 */
export async function pushSubscribe() {
  if (!pushSupported()) {
    throw new PushProblem("unsupported", "This browser cannot show notifications from Tandem. Email reminders stay on.");
  }
  // First, before anything else is awaited, so the browser still sees the tap.
  const permission = await Notification.requestPermission();
  if (permission === "denied") {
    throw new PushProblem(
      "denied",
      "Notifications are blocked for Tandem in this browser. To allow them, open the site settings " +
        "(the icon beside the address) and set Notifications to Allow, then try again. Email reminders stay on.",
    );
  }
  if (permission !== "granted") {
    throw new PushProblem("dismissed", "Notifications were not allowed this time. You can try again whenever you like.");
  }
  const publicKey = await serverKey();
  const registration = await within(navigator.serviceWorker.ready, PUSH_SERVICE_SECONDS);
  const subscription = await within(
    registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }),
    PUSH_SERVICE_SECONDS,
    // Settled after we gave up: not registered with Tandem, so not kept either.
    (late) => late?.unsubscribe().catch(() => {}),
  );
  try {
    await register(subscription);
  } catch (error) {
    await subscription.unsubscribe().catch(() => {});
    throw error;
  }
  return api("/notifications/preferences", { method: "PATCH", body: { push: true } });
}

/** Stops push on this device only. The push preference stays as it is: it is the person's, for
 * every device, and Tandem pushes only to devices that subscribed, so the others keep theirs. */
export async function pushUnsubscribe() {
  await dropThisDevice();
}

async function dropThisDevice() {
  const stored = storedSubscription();
  try {
    const subscription = await within(browserSubscription(), PUSH_SERVICE_SECONDS);
    if (subscription) await within(subscription.unsubscribe(), PUSH_SERVICE_SECONDS);
  } catch (error) {
    // The browser's side is gone or unreachable; Tandem's side is dropped below all the same.
  }
  if (stored) {
    try {
      await api(`/push/subscriptions/${stored.id}`, { method: "DELETE" });
    } catch (error) {
      // Already gone (404) is fine; anything else is for the caller only if the browser still sends.
      if (!(error instanceof ApiError && error.status === 404)) {
        forgetStored();
        throw error;
      }
    }
  }
  forgetStored();
}

/** Unsubscribes this browser from push and tells Tandem to forget it. Never throws. */
export async function pushForgetDevice() {
  try {
    await dropThisDevice();
  } catch (error) {
    // Offline at sign-out: the browser's subscription is gone, so the push service refuses
    // Tandem's next send and Tandem drops the subscription then.
  }
}
