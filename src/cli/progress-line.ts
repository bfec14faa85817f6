/**
 * A progress line for commands that wait (`rollout status`, `delete --wait`): on a terminal one
 * line rewritten in place, otherwise a line per change (so that logs keep the history), or
 * nothing at all with `ttyOnly` (for commands whose output scripts read). The same text twice
 * prints once.
 */
export interface ProgressLine {
  show(line: string): void;
  /** Ends the line in place, if one is open; later output starts on a fresh line. */
  end(): void;
}

export function progressLine(
  options: { stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>; ttyOnly?: boolean } = {},
): ProgressLine {
  const stream = options.stream ?? process.stdout;
  const tty = stream.isTTY === true;
  const quiet = !tty && options.ttyOnly === true;
  let shown: string | undefined;
  let open = false;
  return {
    show(line) {
      if (line === shown || quiet) return;
      shown = line;
      if (tty) {
        stream.write(`\r\x1b[K${line}`);
        open = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}
