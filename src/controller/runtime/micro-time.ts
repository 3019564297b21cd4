// Kubernetes MicroTime ("2006-01-02T15:04:05.000000Z07:00"): the API server parses exactly six
// fraction digits, and JavaScript has milliseconds, so three zeros make up the difference.

export function microTime(at: Date = new Date()): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
