// The users kube-apiserver knows from its --token-auth-file: the admin (group system:masters,
// which RBAC lets do anything) and the test users a suite asks for, each with a random token.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

export interface StaticUser {
  name: string;
  groups?: string[];
}

export const adminUser: StaticUser = { name: 'migrascope-admin', groups: ['system:masters'] };

/** Writes the token file and returns each user's token by user name. */
export function writeTokenFile(path: string, users: StaticUser[]): Map<string, string> {
  const tokens = new Map<string, string>();
  const lines: string[] = [];
  for (const user of users) {
    if (tokens.has(user.name)) throw new Error(`static user ${user.name} is declared twice`);
    if (/[",\n]/.test(user.name) || (user.groups ?? []).some((group) => /[",\n]/.test(group))) {
      throw new Error(`static user ${user.name}: names and groups cannot hold commas, quotes or newlines`);
    }
    const token = randomBytes(24).toString('hex');
    tokens.set(user.name, token);
    // CSV: token,user,uid,"group1,group2"
    lines.push(`${token},${user.name},${user.name},"${(user.groups ?? []).join(',')}"`);
  }
  writeFileSync(path, lines.join('\n') + '\n', { mode: 0o600 });
  return tokens;
}
