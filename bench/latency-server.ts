// The server of the accuracy figure: an HTTP/1.1 keep-alive server (GET only, as the bench's
// profile sends) that holds each response for a delay drawn from a seeded lognormal
// distribution, and records, per request, what it really did: when the request was read and how
// long it was held until its response was written. That record is the truth the driver's
// percentiles are compared with.
//
// Responses are released by a due-time heap polled with setImmediate while any is pending (the
// server has a core to itself), not by one setTimeout each: a Node timer fires on whole
// milliseconds and late under load, which would blur the distribution being served. The delay
// that counts is the one measured anyway.
//
//   taskset -c 0 node bench/latency-server.ts MEDIAN_MS SIGMA SEED
// Prints {"port": N} once listening; over IPC, {"collect": [fromEpochMs, toEpochMs]} answers
// with the requests read in that stretch, and {"delays": false|true} turns the delays off or on.
import { createServer, type Socket } from 'node:net';
import { Random } from '../src/workloads/index.ts';

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok', 'latin1');
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

export interface TruthSamples {
  /** Per request read in the stretch: how long the server held it, µs. */
  heldUs: number[];
  /** The delays drawn for them (what the distribution asked for), µs. */
  drawnUs: number[];
}

/** A lognormal draw: exp(mu + sigma x a standard normal), the normal by Box-Muller. */
export function lognormal(random: Random, medianMs: number, sigma: number): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return medianMs * Math.exp(sigma * normal);
}

class Pending {
  due: number;
  socket: Socket;
  readAt: number;
  drawnMs: number;
  constructor(due: number, socket: Socket, readAt: number, drawnMs: number) {
    this.due = due;
    this.socket = socket;
    this.readAt = readAt;
    this.drawnMs = drawnMs;
  }
}

/** A binary min-heap of pending responses by due time. */
class DueHeap {
  readonly items: Pending[] = [];

  push(item: Pending): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.due <= item.due) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Pending | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.due < items[left]!.due ? right : left;
      if (items[child]!.due >= last.due) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

if (import.meta.main) {
  const [median, sigma, seed] = process.argv.slice(2).map(Number);
  if (median === undefined || sigma === undefined || seed === undefined) {
    process.stderr.write('usage: latency-server.ts MEDIAN_MS SIGMA SEED\n');
    process.exit(2);
  }
  const random = new Random(seed);
  const origin = performance.timeOrigin;
  const heap = new DueHeap();
  let delays = true;
  // Per request, in read order: epoch ms read, held µs, drawn µs.
  const readAt: number[] = [];
  const heldUs: number[] = [];
  const drawnUs: number[] = [];
  let polling = false;

  const release = (): void => {
    const at = performance.now();
    while (heap.items.length > 0 && heap.items[0]!.due <= at) {
      const pending = heap.pop()!;
      if (pending.socket.destroyed) continue;
      pending.socket.write(RESPONSE);
      const written = performance.now();
      readAt.push(origin + pending.readAt);
      heldUs.push((written - pending.readAt) * 1000);
      drawnUs.push(pending.drawnMs * 1000);
    }
    polling = heap.items.length > 0;
    if (polling) setImmediate(release);
  };

  const server = createServer({ noDelay: true }, (socket) => {
    let buffered: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      let data = buffered ? Buffer.concat([buffered, chunk]) : chunk;
      for (let end = data.indexOf(END_OF_HEAD); end >= 0; end = data.indexOf(END_OF_HEAD)) {
        const drawn = delays ? lognormal(random, median, sigma) : 0;
        heap.push(new Pending(at + drawn, socket, at, drawn));
        data = data.subarray(end + END_OF_HEAD.length);
      }
      buffered = data.length > 0 ? Buffer.from(data) : undefined;
      if (!polling) {
        polling = true;
        setImmediate(release);
      }
    });
    socket.on('error', () => socket.destroy());
  });

  process.on('message', (message: { collect?: [number, number]; delays?: boolean; clear?: boolean }) => {
    if (message.delays !== undefined) delays = message.delays;
    if (message.clear) {
      readAt.length = 0;
      heldUs.length = 0;
      drawnUs.length = 0;
    }
    if (message.collect) {
      const [from, to] = message.collect;
      const samples: TruthSamples = { heldUs: [], drawnUs: [] };
      for (let i = 0; i < readAt.length; i++) {
        if (readAt[i]! >= from && readAt[i]! < to) {
          samples.heldUs.push(heldUs[i]!);
          samples.drawnUs.push(drawnUs[i]!);
        }
      }
      process.send?.(samples);
    } else {
      process.send?.({ ok: true });
    }
  });
  process.on('disconnect', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  });
}
