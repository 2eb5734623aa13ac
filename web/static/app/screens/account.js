// The way back into an account and its address: "Forgot your password?", the screens the account
// emails link to (/reset-password, /confirm-email), changing the password and the email from
// Settings, and the gentle note that an address waits for confirmation.
import { useEffect, useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { Link, dropQuery } from "app/router.js";
import { refreshSession, session } from "app/session.js";
import { useStore } from "app/store.js";
import { Button, Field, Loading, Notice, Page, Status, html, useForm } from "app/ui.js";

// Said whether or not the address has an account: the answer must not tell.
const RESET_ASKED = "If an account uses that address, a link to choose a new password is on its way. It works for an hour.";

export function ForgotPassword() {
  const form = useForm({ email: "" });
  const [asked, setAsked] = useState(false);
  const ask = async ({ email }) => {
    setAsked(false);
    if (!email.trim()) throw new ApiError(400, { email: ["Enter the email you signed up with."] });
    await api("/auth/password-reset", { method: "POST", body: { email } });
    setAsked(true);
  };
  return html`<${Page} title="Forgot your password?">
    <p>Enter the email of your account, and Tandem sends a link to choose a new password.</p>
    <form class="stack" onSubmit=${form.submit(ask)} novalidate>
      <${Notice} kind="error">${form.general}<//>
      <${Field} label="Email" type="email" autocomplete="email" required ...${form.bind("email")} />
      <${Button} type="submit" busy=${form.busy}>Send me a link<//>
    </form>
    <${Status}>${asked ? RESET_ASKED : ""}<//>
    <p><${Link} href="/signin">Back to sign in<//></p>
  <//>`;
}

/** The token of an account link, taken out of the address bar at once (so it stays in no history,
 * bookmark or shared screenshot), and kept for this screen. */
function useLinkToken(query) {
  const [token] = useState(() => query?.get("token") || "");
  useEffect(() => {
    if (query?.has("token")) dropQuery("token");
  }, []);
  return token;
}

export function ResetPassword({ query }) {
  const token = useLinkToken(query);
  const form = useForm({ password: "" });
  const [done, setDone] = useState(false);
  const choose = async ({ password }) => {
    if (!password) throw new ApiError(400, { password: ["Choose a new password."] });
    await api("/auth/password-reset/confirm", { method: "POST", body: { token, password } });
    setDone(true);
    // Every device was signed out, this one included: the app learns it from the server.
    await refreshSession();
  };
  if (done) {
    return html`<${Page} title="Your password is changed">
      <${Notice} kind="info">Your new password is set, and Tandem signed you out everywhere. Sign in with it now.<//>
      <${Link} class="button button-primary" href="/signin">Sign in<//>
    <//>`;
  }
  // The token's problem (wrong, used, expired) is no field of this form: it shows above it.
  const tokenProblem = form.error instanceof ApiError ? form.error.field("token") : null;
  return html`<${Page} title="Choose a new password">
    <form class="stack" onSubmit=${form.submit(choose)} novalidate>
      <${Notice} kind="error">${tokenProblem || form.general}<//>
      ${tokenProblem ? html`<p><${Link} href="/forgot-password">Ask for a new link<//></p>` : null}
      <${Field} label="New password" type="password" autocomplete="new-password"
        hint="At least 8 characters, not a common one." required ...${form.bind("password")} />
      <${Button} type="submit" busy=${form.busy}>Set my new password<//>
    </form>
  <//>`;
}

export function ConfirmEmail({ query }) {
  const token = useLinkToken(query);
  const [state, setState] = useState({ user: null, error: null });
  useEffect(() => {
    api("/auth/confirm-email", { method: "POST", body: { token } }).then(
      (user) => {
        // This browser may be signed in as the person who confirmed (the same phone): it shows it.
        if (session.get().me?.id === user.id) session.set({ me: user });
        setState({ user, error: null });
      },
      (error) => setState({ user: null, error }),
    );
  }, []);
  const { status } = useStore(session);
  if (state.error) {
    return html`<${Page} title="This link does not work">
      <${Notice} kind="error">${state.error instanceof ApiError ? state.error.field("token") || state.error.message : state.error.message}<//>
      ${status === "signed-in"
        ? html`<p><${Link} href="/settings">Send a new link from Settings<//></p>`
        : html`<p><${Link} href="/signin">Sign in<//> to send a new link from Settings.</p>`}
    <//>`;
  }
  if (!state.user) return html`<${Page} title="Confirming your email"><${Loading} /><//>`;
  return html`<${Page} title="Your email is confirmed">
    <${Notice} kind="info">Thank you. Tandem now writes to <bdi>${state.user.email}</bdi>.<//>
    <${Link} class="button button-primary" href="/">Open Tandem<//>
  <//>`;
}

/** "Send the link again", and what came of it. */
function SendAgain({ onSent }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const send = async () => {
    setBusy(true);
    setMessage("");
    try {
      await api("/me/email/confirmation", { method: "POST" });
      setMessage("A new link is on its way.");
      onSent?.();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await refreshSession();
      setMessage(error.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Button} kind="secondary" type="button" busy=${busy} onClick=${send}>Send the link again<//>
    <${Status}>${message}<//>`;
}

/** The address that waits for confirmation, or null. */
function waitingAddress(me) {
  if (!me) return null;
  return me.pending_email || (me.email_confirmed ? null : me.email);
}

const NOTE_SEEN = "tandem.email-note-seen";

/** A gentle note, shown once (until dismissed), that the address waits for confirmation. */
export function ConfirmationNote() {
  const { me } = useStore(session);
  const address = waitingAddress(me);
  const key = me ? `${NOTE_SEEN}.${me.id}` : null;
  const [dismissed, setDismissed] = useState(() => {
    try {
      return key !== null && localStorage.getItem(key) !== null;
    } catch (error) {
      return false;
    }
  });
  if (!address || dismissed) return null;
  const dismiss = () => {
    try {
      localStorage.setItem(key, "1");
    } catch (error) {
      // Not kept: the note comes back next time, which does no harm.
    }
    setDismissed(true);
    document.querySelector("main h1")?.focus();
  };
  return html`<aside class="card confirmation-note" aria-labelledby="confirmation-note-title">
    <h2 id="confirmation-note-title">Please confirm your email</h2>
    <p>We sent a link to <bdi>${address}</bdi>. Until it is opened, Tandem sends no email reminders there;
    everything else works as usual.</p>
    <div class="actions">
      <${SendAgain} />
      <button class="link-button" type="button" onClick=${dismiss}>Dismiss</button>
    </div>
  </aside>`;
}

/** Settings: the address, whether it is confirmed, and a change that waits. */
export function EmailSettings({ me }) {
  const form = useForm({ email: "", password: "" });
  const [status, setStatus] = useState("");
  const change = async ({ email, password }) => {
    setStatus("");
    if (!email.trim()) throw new ApiError(400, { email: ["Enter the new address."] });
    if (!password) throw new ApiError(400, { password: ["Enter your password to change your email."] });
    const saved = await api("/me/email", { method: "POST", body: { email, password } });
    session.set({ me: saved });
    form.setValues({ email: "", password: "" });
    setStatus(
      saved.pending_email
        ? `A link is on its way to ${saved.pending_email}. Your email changes once it is opened.`
        : "No change waits any more: your email stays as it is.",
    );
  };
  const waiting = waitingAddress(me);
  return html`<div class="stack email-settings">
    <dl class="account-facts">
      <dt>Email</dt>
      <dd><bdi>${me.email}</bdi> ${me.email_confirmed ? "(confirmed)" : "(waits for confirmation)"}</dd>
      ${me.pending_email
        ? html`<dt>Changing to</dt><dd><bdi>${me.pending_email}</bdi> (waits for confirmation)</dd>`
        : null}
    </dl>
    ${waiting ? html`<div><${SendAgain} /></div>` : null}
    <form class="stack" onSubmit=${form.submit(change)} novalidate>
      <h3>Change my email</h3>
      <${Notice} kind="error">${form.general}<//>
      <${Field} label="New email" type="email" autocomplete="email" ...${{ ...form.bind("email"), name: "new-email" }} />
      <${Field} label="Password to confirm the change" type="password" autocomplete="current-password" ...${{ ...form.bind("password"), name: "email-password" }} />
      <${Button} type="submit" busy=${form.busy}>Change my email<//>
      <${Status}>${status}<//>
    </form>
  </div>`;
}

/** Settings: a new password, the current one asked for; other devices are signed out. */
export function PasswordSettings() {
  const form = useForm({ current_password: "", new_password: "" });
  const [status, setStatus] = useState("");
  const change = async ({ current_password, new_password }) => {
    setStatus("");
    if (!current_password) throw new ApiError(400, { current_password: ["Enter your current password."] });
    if (!new_password) throw new ApiError(400, { new_password: ["Choose a new password."] });
    await api("/me/password", { method: "POST", body: { current_password, new_password } });
    form.setValues({ current_password: "", new_password: "" });
    setStatus("Your password is changed. Your other devices are signed out; this one stays signed in.");
  };
  return html`<form class="stack change-password" onSubmit=${form.submit(change)} novalidate>
    <h3>Change my password</h3>
    <${Notice} kind="error">${form.general}<//>
    <${Field} label="Current password" type="password" autocomplete="current-password" ...${form.bind("current_password")} />
    <${Field} label="New password" type="password" autocomplete="new-password"
      hint="At least 8 characters, not a common one." ...${form.bind("new_password")} />
    <${Button} type="submit" busy=${form.busy}>Change my password<//>
    <${Status}>${status}<//>
  </form>`;
}
