// Pairing: make an invite code to give your partner, or enter the one they gave you. The join
// screen is where an invite's link lands; its code leaves the address bar at once.
import { useEffect, useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { inviteShown } from "app/data.js";
import { Link, dropQuery, navigate } from "app/router.js";
import { refreshCouple, session } from "app/session.js";
import { useStore } from "app/store.js";
import { Button, Field, Loading, Notice, Page, Status, html, useForm, when } from "app/ui.js";

/** "7KQ2M-XR4PD": ten characters as two groups of five, however the server wrote them. */
function displayCode(code) {
  const plain = String(code || "").replace(/[^0-9a-z]/gi, "").toUpperCase();
  return plain.length === 10 ? `${plain.slice(0, 5)}-${plain.slice(5)}` : String(code || "");
}

async function copyText(text) {
  if (!navigator.clipboard?.writeText) throw new Error("No clipboard here.");
  await navigator.clipboard.writeText(text);
}

function Paired({ couple }) {
  return html`<div class="card">
    <p>You are paired with <bdi>${couple.partner.display_name}</bdi>.</p>
    <${Link} class="button button-primary" href="/">Go to the start<//>
  </div>`;
}

function Invite() {
  const [invite, setInvite] = useState(null);
  const [replaced, setReplaced] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const [status, setStatus] = useState("");
  // While a code shows, the partner's joining is what this person waits for (data.js).
  useEffect(() => {
    inviteShown(Boolean(invite));
    return () => inviteShown(false);
  }, [Boolean(invite)]);

  const create = async () => {
    setBusy(true);
    setProblem(null);
    setStatus("");
    try {
      const created = await api("/couple/invites", { method: "POST" });
      setReplaced(invite !== null);
      setInvite(created);
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };

  const copyCode = async () => {
    try {
      await copyText(displayCode(invite.code));
      setStatus("Copied");
    } catch (error) {
      setStatus("Could not copy here. Select the code above and copy it yourself.");
    }
  };

  const share = async () => {
    if (navigator.share) {
      try {
        await navigator.share({ title: "Tandem", text: "Join me on Tandem", url: invite.join_url });
        setStatus("");
        return;
      } catch (error) {
        if (error?.name === "AbortError") return; // The person closed the share sheet.
      }
    }
    try {
      await copyText(invite.join_url);
      setStatus("Sharing is not available here, so the link was copied instead. Paste it into a message to your partner.");
    } catch (error) {
      setStatus("Sharing is not available here. Select the link above and copy it yourself.");
    }
  };

  return html`<section class="card pair-section" aria-labelledby="invite-heading">
    <h2 id="invite-heading">Invite your partner</h2>
    <p>Make a code and give it to your partner. They enter it on their phone, and you are paired.</p>
    <${Notice} kind="error">${problem}<//>
    ${invite
      ? html`<div class="invite">
          <p class="invite-code">${displayCode(invite.code)}</p>
          <p>Valid until ${when(invite.expires_at)}.</p>
          ${replaced ? html`<p class="hint">This new code replaces the one before, which no longer works.</p>` : null}
          <p class="join-url-label">Or send this link:</p>
          <p class="join-url">${invite.join_url}</p>
          <div class="actions">
            <${Button} kind="secondary" type="button" onClick=${copyCode}>Copy code<//>
            <${Button} kind="secondary" type="button" onClick=${share}>Share link<//>
          </div>
        </div>`
      : html`<p class="hint">A new code replaces any code you made before.</p>`}
    <${Status} className="pair-status">${status}<//>
    <${Button} kind=${invite ? "secondary" : "primary"} type="button" busy=${busy} onClick=${create}>Create an invite code<//>
  </section>`;
}

function JoinForm({ code = "" }) {
  const form = useForm({ code });
  const join = async ({ code: typed }) => {
    if (!typed.trim()) throw new ApiError(400, { code: ["Enter the code your partner gave you, like 7KQ2M-XR4PD."] });
    await api("/couple/join", { method: "POST", body: { code: typed.trim() } });
    invitedCode = "";
    await refreshCouple();
    navigate("/");
  };
  return html`<form class="stack" onSubmit=${form.submit(join)} novalidate>
    <${Notice} kind="error">${form.general}<//>
    <${Field} label="Partner's code" hint="Ten letters and numbers, like 7KQ2M-XR4PD." autocomplete="off"
      autocapitalize="characters" spellcheck="false" class="code-input" ...${form.bind("code")} />
    <${Button} type="submit" busy=${form.busy}>Join<//>
  </form>`;
}

export function Pair() {
  const { couple } = useStore(session);
  if (couple === undefined) {
    return html`<${Page} title="Pair with your partner"><${Loading} /><//>`;
  }
  return html`<${Page} title="Pair with your partner" className="pair">
    ${couple
      ? html`<${Paired} couple=${couple} />`
      : html`
        <p class="lead">Tandem is for two. One of you makes a code, the other enters it.</p>
        <${Invite} />
        <section class="card pair-section" aria-labelledby="join-heading">
          <h2 id="join-heading">Join your partner</h2>
          <p>Did your partner give you a code? Enter it here.</p>
          <${JoinForm} />
        </section>`}
  <//>`;
}

// The code of the invite link this tab opened, kept in memory only while its person signs up or
// signs in (the address bar, history and the device's storage never hold it again).
let invitedCode = "";

export function Join({ query }) {
  const state = useStore(session);
  const [code] = useState(() => {
    invitedCode = query?.get("code") || invitedCode;
    return invitedCode;
  });
  useEffect(() => {
    // The code is as good as a key for a few days: keep it out of history and screenshots.
    if (new URLSearchParams(location.search).has("code")) dropQuery("code");
  }, []);

  const next = encodeURIComponent("/join");
  let body;
  if (state.status !== "signed-in") {
    body = html`
      <p class="lead">Your partner has invited you to Tandem.</p>
      <p>Create an account or sign in, then you can join.</p>
      <div class="actions">
        <${Link} class="button button-primary" href=${`/signup?next=${next}`}>Create an account<//>
        <${Link} class="button button-secondary" href=${`/signin?next=${next}`}>Sign in<//>
      </div>`;
  } else if (state.couple === undefined) {
    body = html`<${Loading} />`;
  } else if (state.couple) {
    body = html`<${Paired} couple=${state.couple} />`;
  } else {
    body = html`<p>Check the code your partner gave you, then join.</p><${JoinForm} code=${displayCode(code)} />`;
  }
  return html`<${Page} title="Join your partner" className="pair">${body}<//>`;
}
