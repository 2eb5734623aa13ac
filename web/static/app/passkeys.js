// Passkeys in this browser (WebAuthn): adding one to the signed-in account, and signing in with one.
// The server makes the options and checks the answers (POST /me/passkeys/options then /me/passkeys;
// POST /auth/passkey/options then /auth/passkey); this carries them between it and the
// authenticator, as JSON both ways: the browser's own converters where it has them
// (PublicKeyCredential.parseCreationOptionsFromJSON, credential.toJSON()), base64url otherwise.
import { api } from "app/api.js";

/** Whether this browser can make and use passkeys at all. */
export function passkeysSupported() {
  return typeof window.PublicKeyCredential === "function" && Boolean(navigator.credentials?.create);
}

/** Makes a passkey for the signed-in person on this device and saves it: the passkey as the API
 * lists it. Throws an Error with words to show. */
export async function passkeyAdd() {
  const options = await api("/me/passkeys/options", { method: "POST" });
  const credential = await ask(() => navigator.credentials.create({ publicKey: creationOptions(options) }), ADD_PROBLEMS);
  return api("/me/passkeys", { method: "POST", body: { credential: credentialJSON(credential) } });
}

/** Signs in with a passkey the person picks (any of this site's): `{token, user}`, and a session
 * for this browser, as a password sign-in gives. Throws an Error with words to show. */
export async function passkeySignIn() {
  const options = await api("/auth/passkey/options", { method: "POST" });
  const credential = await ask(() => navigator.credentials.get({ publicKey: requestOptions(options) }), SIGN_IN_PROBLEMS);
  return api("/auth/passkey", { method: "POST", body: { credential: credentialJSON(credential) } });
}

// What the browser's refusals mean to the person (DOMException names, from the WebAuthn spec).
const NOT_HERE =
  "Passkeys do not work at this address. Open Tandem at its usual address (a name, not numbers) to use them.";
const ADD_PROBLEMS = {
  NotAllowedError: "No passkey was added: it was cancelled, or took too long. Try again when you are ready.",
  InvalidStateError: "This device already has a passkey for your account. You can sign in with that one.",
  SecurityError: NOT_HERE,
  NotSupportedError: "This device cannot make a passkey Tandem can use.",
};
const SIGN_IN_PROBLEMS = {
  NotAllowedError: "No passkey was used: it was cancelled, or took too long. Try again, or sign in with your password.",
  SecurityError: NOT_HERE,
};

async function ask(call, problems) {
  try {
    const credential = await call();
    if (!credential) throw new Error(problems.NotAllowedError);
    return credential;
  } catch (error) {
    if (error instanceof DOMException && problems[error.name]) throw new Error(problems[error.name]);
    throw error;
  }
}

function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: bytesOf(json.challenge),
    user: { ...json.user, id: bytesOf(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((known) => ({ ...known, id: bytesOf(known.id) })),
  };
}

function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: bytesOf(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((known) => ({ ...known, id: bytesOf(known.id) })),
  };
}

/** The credential as PublicKeyCredential.toJSON() writes it (which the API takes). */
function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const { response } = credential;
  const written = {
    id: credential.id,
    rawId: textOf(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
    response: { clientDataJSON: textOf(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    written.response.attestationObject = textOf(response.attestationObject);
    written.response.transports = response.getTransports?.() ?? [];
  } else {
    written.response.authenticatorData = textOf(response.authenticatorData);
    written.response.signature = textOf(response.signature);
    written.response.userHandle = response.userHandle ? textOf(response.userHandle) : null;
  }
  return written;
}

function bytesOf(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0)).buffer;
}

function textOf(buffer) {
  const binary = String.fromCharCode(...new Uint8Array(buffer));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
