// Placeholder: being written.
import { Page, html } from "app/ui.js";
export function Pair() { return html`<${Page} title="Pair"><p>Coming soon.</p><//>`; }
export function Join() { return html`<${Page} title="Join"><p>Coming soon.</p><//>`; }
