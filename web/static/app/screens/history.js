// Placeholder: being written.
import { Page, html } from "app/ui.js";
export function History() { return html`<${Page} title="History"><p>Coming soon.</p><//>`; }
