// Placeholder: being written.
import { Page, html } from "app/ui.js";
export function Schedule() { return html`<${Page} title="Schedule"><p>Coming soon.</p><//>`; }
