// Placeholder: being written.
import { Page, html } from "app/ui.js";
export function Discussions() { return html`<${Page} title="Discussions"><p>Coming soon.</p><//>`; }
export function DiscussionScreen() { return html`<${Page} title="DiscussionScreen"><p>Coming soon.</p><//>`; }
