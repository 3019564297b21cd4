// A URL's password kept out of what a person or a log reads: "https://root:PW@host" is shown as
// "https://root:***@host". The text is matched as written, not parsed, so that a URL too broken to
// parse (the very one an error message quotes) is redacted too, and everything else reads as given.
// The password runs to the last "@" before the first "/", as a URL parser reads it, so a password
// holding "@" is hidden whole.
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)?([^/@:]*):[^/]*@/i;

/** The URL as written, its password (anything between "//user:" and the host's "@") replaced. */
export function redactUrlPassword(url: string): string {
  return url.replace(USERINFO, (_, scheme: string | undefined, user: string) => `${scheme ?? ''}${user}:***@`);
}
