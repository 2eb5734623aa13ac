// Answers typed while offline, kept on this device only until they are sent.
// Filled in by the check-in work; sign-out calls `outboxClear`.

/** Forgets every answer waiting on this device. */
export function outboxClear() {}
