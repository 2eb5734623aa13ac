// Web Push on this device: subscribe (after the person taps, never on load), unsubscribe.
// Filled in by the settings work; sign-out calls `pushForgetDevice`.

/** Unsubscribes this browser from push and tells Tandem to forget it. Never throws. */
export async function pushForgetDevice() {}
