// The session cookie `msid` (the contract's name): HttpOnly, whole site, sent on same-site
// navigation only.

const NAME = 'msid';
const PATTERN = /(?:^|;\s*)msid=([A-Za-z0-9_-]+)/;

export function sessionIdFrom(cookieHeader: string | undefined): string | undefined {
  return cookieHeader ? PATTERN.exec(cookieHeader)?.[1] : undefined;
}

export function sessionCookie(sessionId: string): string {
  return `${NAME}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`;
}

export function clearedSessionCookie(): string {
  return `${NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
