// The one way the app talks to Tandem's API (../shared/API.md): same-origin session cookie and
// CSRF token, JSON in and out, never cached (the browser's cache included). Errors come back as
// ApiError (the server answered) or Offline (it could not be reached), with plain words to show.
import { markOffline, markOnline } from "app/connection.js";

const BASE = "/api/v1";
let csrf = null;

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(describe(status, body, retryAfter));
    this.status = status;
    this.body = body || {};
    this.retryAfter = retryAfter;
  }

  /** The server's words about one field of a form, or null. */
  field(name) {
    const problem = this.body[name];
    if (Array.isArray(problem)) return problem.map(String).join(" ");
    if (typeof problem === "string") return problem;
    if (problem && typeof problem === "object") return Object.values(problem).flat().map(String).join(" ");
    return null;
  }
}

export class Offline extends Error {
  constructor() {
    // Said of loads (which do try again by themselves) and of actions (which do not) alike.
    super("You are offline, so Tandem could not be reached. It works again once the connection is back.");
  }
}

// Django refuses a request whose CSRF token it rotated (at sign-in, say) with a 403 that says so.
function csrfRefused(status, body) {
  return status === 403 && /CSRF/i.test(body?.detail || "");
}

function describe(status, body, retryAfter) {
  if (status === 401 || (status === 403 && !csrfRefused(status, body))) {
    return "You are signed out on this device. Sign in again to go on.";
  }
  if (status === 429) {
    const minutes = Math.max(1, Math.ceil((Number(retryAfter) || 60) / 60));
    return `Too many tries for now. Please try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  if (body && typeof body === "object") {
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.non_field_errors) && body.non_field_errors.length) return body.non_field_errors.map(String).join(" ");
    const first = Object.values(body).flat()[0];
    if (typeof first === "string") return first;
  }
  if (status >= 500) return "Something went wrong on our side. Please try again in a moment.";
  return "That did not work. Please try again.";
}

export async function csrfToken({ refresh = false } = {}) {
  if (!csrf || refresh) {
    const body = await request("GET", "/auth/csrf");
    csrf = body.csrf_token;
  }
  return csrf;
}

/** Forgets the CSRF token: Django rotates it at sign-in and sign-out. */
export function forgetCsrf() {
  csrf = null;
}

async function request(method, path, body, query) {
  const url = new URL(BASE + path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!["GET", "HEAD"].includes(method)) headers["X-CSRFToken"] = await csrfToken();
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    markOffline();
    throw new Offline();
  }
  markOnline();
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (error) {
    parsed = null;
  }
  if (!response.ok) throw new ApiError(response.status, parsed, response.headers.get("Retry-After"));
  return parsed;
}

const sessionEndedListeners = new Set();

/** Calls `listener` whenever the server says nobody is signed in (the session ended elsewhere,
 * expired, or the account is gone), so the app can ask for a sign-in where the person stands. */
export function onSessionEnded(listener) {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** Whether `error` is the server saying that nobody is signed in (not a CSRF refusal). */
export function isSignedOut(error) {
  return error instanceof ApiError && (error.status === 401 || error.status === 403) && !csrfRefused(error.status, error.body);
}

/**
 * `api("/checkins/current")`, `api("/couple/join", { method: "POST", body: { code } })`.
 * A CSRF refusal (a token rotated elsewhere) is retried once with a fresh token.
 */
export async function api(path, { method = "GET", body, query } = {}) {
  try {
    try {
      return await request(method, path, body, query);
    } catch (error) {
      if (!(error instanceof ApiError && csrfRefused(error.status, error.body))) throw error;
      await csrfToken({ refresh: true });
      return await request(method, path, body, query);
    }
  } catch (error) {
    if (isSignedOut(error)) for (const listener of sessionEndedListeners) listener();
    throw error;
  }
}
