// Values as XAPI puts them on the wire. JSON-RPC and XML-RPC differ only for numbers and dates:
// XAPI's 64-bit `int` travels as a bare string in XML-RPC (`<value>42</value>`) but as a JSON
// number; `float` is `<double>`; the int32 counts of event.from's valid_ref_counts are `<i4>`;
// `datetime` is `<dateTime.iso8601>` in XML-RPC and a plain string in JSON. A JS number cannot say
// which of these it is, so those values are wrapped; everything else is plain JS.
// (Read from ocaml-rpc's xmlrpc.ml / jsonrpc.ml as vendored by xapi-project/xen-api.)

/** XAPI `int` (64-bit). */
export class XapiInt {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** XAPI `float`. */
export class XapiFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** A 32-bit int (only event.from's valid_ref_counts use it). */
export class XapiInt32 {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** XAPI `datetime`, written as XAPI writes it: 20240131T09:30:00Z. */
export class XapiDateTime {
  readonly text: string;
  constructor(epochMs: number) {
    this.text = formatXapiDate(epochMs);
  }
  toJSON(): string {
    return this.text;
  }
}

export type WireValue =
  | string
  | boolean
  | null
  | XapiInt
  | XapiFloat
  | XapiInt32
  | XapiDateTime
  | WireValue[]
  | { [key: string]: WireValue };

/** XAPI's Date.to_rfc3339 for UTC: YYYYMMDDTHH:MM:SSZ (compatible with XML-RPC's iso8601). */
export function formatXapiDate(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2024-01-31T09:30:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}Z`;
}

/** XAPI's "no date" value: the epoch. */
export const NO_DATE = 0;
