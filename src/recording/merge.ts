// Many workers, one result: snapshots of the same second add up bucket for bucket (HdrHistogram
// addition is exact when both sides have the same precision), counts add up, nothing is sampled.
import type { ErrorKind } from './outcome.ts';
import { userKeyed } from './user-keyed.ts';
import type { ActionSecond, SecondSnapshot } from './recorder.ts';
import { newHistogram } from './histogram.ts';

/** One snapshot per second, ascending; the inputs are left untouched. */
export function mergeSeconds(snapshots: Iterable<SecondSnapshot>): SecondSnapshot[] {
  const bySecond = new Map<number, SecondSnapshot>();
  for (const snapshot of snapshots) {
    let merged = bySecond.get(snapshot.second);
    if (merged === undefined) {
      merged = { second: snapshot.second, actions: userKeyed() };
      bySecond.set(snapshot.second, merged);
    }
    for (const [action, part] of Object.entries(snapshot.actions)) {
      const into = (merged.actions[action] ??= { histogram: newHistogram(), ok: 0, errors: {} });
      addInto(into, part);
    }
  }
  return [...bySecond.values()].sort((a, b) => a.second - b.second);
}

function addInto(into: ActionSecond, part: ActionSecond): void {
  into.histogram.add(part.histogram);
  into.ok += part.ok;
  for (const [kind, n] of Object.entries(part.errors) as [ErrorKind, number][]) {
    into.errors[kind] = (into.errors[kind] ?? 0) + n;
  }
}
