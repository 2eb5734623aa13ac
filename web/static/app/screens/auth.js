// Sign up and sign in. Both start a browser session (the API needs the CSRF token for that), whose
// cookie the browser keeps: the app stores no credential of its own.
import { useState } from "preact/hooks";

import { api } from "app/api.js";
import { passkeySignIn, passkeysSupported } from "app/passkeys.js";
import { Link, navigate } from "app/router.js";
import { signedIn } from "app/session.js";
import { Button, Field, Notice, Page, TEXT_LIMITS, html, useForm } from "app/ui.js";

function deviceTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch (error) {
    return "UTC";
  }
}

/** Only a path of this app: never an address elsewhere (`//evil.example`). */
export function safeNext(next) {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignIn({ next, query }) {
  next = safeNext(next || query?.get("next"));
  const form = useForm({ email: "", password: "" });
  const signIn = async ({ email, password }) => {
    await api("/auth/login", { method: "POST", body: { email, password } });
    await signedIn();
    navigate(next, { replace: true });
  };
  return html`<${Page} title="Sign in">
    <form class="stack" onSubmit=${form.submit(signIn)} novalidate>
      <${Notice} kind="error">${form.general}<//>
      <${Field} label="Email" type="email" autocomplete="email" required ...${form.bind("email")} />
      <${Field} label="Password" type="password" autocomplete="current-password" required ...${form.bind("password")} />
      <${Button} type="submit" busy=${form.busy}>Sign in<//>
    </form>
    <p><${Link} href="/forgot-password">Forgot your password?<//></p>
    ${passkeysSupported() ? html`<${PasskeySignIn} next=${next} />` : null}
    <p>New to Tandem? <${Link} href=${next !== "/" ? `/signup?next=${encodeURIComponent(next)}` : "/signup"}>Create an account</${Link}></p>
  <//>`;
}

/** Shown only where the browser can use passkeys: the person picks one, no email asked. */
function PasskeySignIn({ next }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const signIn = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await passkeySignIn();
      await signedIn();
      navigate(next, { replace: true });
    } catch (error) {
      setProblem(error.message);
      setBusy(false);
    }
  };
  return html`<div class="stack passkey-sign-in">
    <p class="passkey-or">Or, without your password:</p>
    <${Notice} kind="error">${problem}<//>
    <${Button} kind="secondary" type="button" busy=${busy} onClick=${signIn}>Sign in with a passkey<//>
  </div>`;
}

export function SignUp({ query }) {
  const next = safeNext(query?.get("next"));
  const form = useForm({ display_name: "", email: "", password: "" }, { limits: { display_name: TEXT_LIMITS.display_name } });
  const signUp = async ({ display_name, email, password }) => {
    await api("/auth/register", {
      method: "POST",
      body: { display_name, email, password, timezone: deviceTimeZone() },
    });
    await signedIn();
    navigate(next, { replace: true });
  };
  return html`<${Page} title="Create your account">
    <form class="stack" onSubmit=${form.submit(signUp)} novalidate>
      <${Notice} kind="error">${form.general}<//>
      <${Field} label="Your name" hint="What your partner sees." autocomplete="nickname" dir="auto" required ...${form.bind("display_name")} />
      <${Field} label="Email" type="email" autocomplete="email" required ...${form.bind("email")} />
      <${Field} label="Password" type="password" autocomplete="new-password" hint="At least 8 characters, not a common one." required ...${form.bind("password")} />
      <${Button} type="submit" busy=${form.busy}>Create account<//>
    </form>
    <p>Already have an account? <${Link} href=${next !== "/" ? `/signin?next=${encodeURIComponent(next)}` : "/signin"}>Sign in</${Link}></p>
  <//>`;
}

