export interface FieldError {
  /** Where the bad value is, e.g. `events[3].data.items[0].quantity`; `(root)` for the whole value. */
  path: string;
  message: string;
}

/** A key that would make the dotted path ambiguous or unreadable is written `["…"]`. */
const PLAIN_KEY = /^[^\s.[\]"'\\\p{Cc}\p{Cf}\p{Cs}]+$/u;
const MAX_KEY_IN_PATH = 100;

function keyInPath(key: string): string {
  // A long key is cut short, never between the two halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(key[MAX_KEY_IN_PATH - 1] ?? '')
    ? MAX_KEY_IN_PATH - 1
    : MAX_KEY_IN_PATH;
  const shown = key.length > MAX_KEY_IN_PATH ? `${key.slice(0, end)}…` : key;
  return PLAIN_KEY.test(key) ? shown : `[${JSON.stringify(shown)}]`;
}

export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const shown = keyInPath(String(key));
      out += !out || shown.startsWith('[') ? shown : `.${shown}`;
    }
  }
  return out || '(root)';
}
