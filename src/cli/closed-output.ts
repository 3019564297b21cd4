// A reader that goes away (`migrascope results export demo | head`, a closed terminal) closes the
// pipe: the next write to it fails with EPIPE, emitted as an 'error' on process.stdout that, left
// unhandled, kills the process with a stack trace. A command writes its figures last, after its
// work is kept (results files, reports), so the right answer is the one of Unix filters: the rest
// of the output goes nowhere, the command finishes as it would have, with its own exit code.

/** From now on, a closed stdout or stderr swallows what is written to it instead of crashing. */
export function tolerateClosedOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      stream.write = (() => true) as typeof stream.write;
    });
  }
}
