// The hosts' migration links, shared by the migrations in flight (docs/migration-model.md,
// "Migrations at once"). Each host has one link of its `linkBandwidth`; a migration that is
// copying memory uses its source's link and its destination's. The rule: a link is split in equal
// shares between the migrations using it, and a migration moves at the smaller of its two shares.
// The shares are divided again whenever a migration starts or stops copying.

export interface LinkUse {
  source: string;
  destination: string;
}

/**
 * Each use's bytes per second under the equal-shares rule: min(bandwidth(source) / n(source),
 * bandwidth(destination) / n(destination)), n(h) being the uses whose source or destination is h
 * (a migration to its own host counts once).
 */
export function linkShares(uses: readonly LinkUse[], bandwidth: (host: string) => number): number[] {
  const users = new Map<string, number>();
  for (const use of uses) {
    for (const host of new Set([use.source, use.destination])) users.set(host, (users.get(host) ?? 0) + 1);
  }
  const share = (host: string) => bandwidth(host) / (users.get(host) ?? 1);
  return uses.map((use) => Math.min(share(use.source), share(use.destination)));
}

/** A migration's hold on the links: it hears its new share whenever the shares change. */
export type JoinLinks = (onShare: (bytesPerSecond: number) => void) => { leave(): void };

interface Member extends LinkUse {
  onShare: (bytesPerSecond: number) => void;
  share?: number;
}

export class MigrationLinks {
  readonly #bandwidth: (host: string) => number;
  readonly #members = new Set<Member>();
  #dividing = false;
  #changed = false;

  constructor(bandwidth: (host: string) => number) {
    this.#bandwidth = bandwidth;
  }

  /** The hold of a migration from `source` to `destination`, to take when it starts copying. */
  between(source: string, destination: string): JoinLinks {
    return (onShare) => {
      const member: Member = { source, destination, onShare };
      this.#members.add(member);
      this.#divide();
      return {
        leave: () => {
          if (this.#members.delete(member)) this.#divide();
        },
      };
    };
  }

  /**
   * Splits the links again and tells every member whose share changed. A member told may end its
   * copy and leave at once; the split then starts over rather than hand out shares it outdated.
   */
  #divide(): void {
    this.#changed = true;
    if (this.#dividing) return;
    this.#dividing = true;
    try {
      while (this.#changed) {
        this.#changed = false;
        const members = [...this.#members];
        const shares = linkShares(members, this.#bandwidth);
        for (const [i, member] of members.entries()) {
          const share = shares[i] ?? 0;
          if (share === member.share) continue;
          member.share = share;
          member.onShare(share);
          if (this.#changed) break;
        }
      }
    } finally {
      this.#dividing = false;
    }
  }
}

/**
 * The hold of a migration whose links run `factor` times faster than the topology's (spec.testbed's
 * linkBandwidth, for one migration): its share of them is the same fraction, of the faster links.
 */
export function scaledLinks(join: JoinLinks, factor: number): JoinLinks {
  if (factor === 1) return join;
  return (onShare) => join((bytesPerSecond) => onShare(bytesPerSecond * factor));
}
