// Terminal niceties that switch themselves off when output is not a terminal or NO_COLOR is set.
const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;

export function dim(text: string): string {
  return useColor ? `\x1b[2m${text}\x1b[22m` : text;
}

export function yellow(text: string): string {
  return useColor ? `\x1b[33m${text}\x1b[39m` : text;
}

/** A spinner on stderr (in a terminal only) until the returned function is called. */
export function startSpinner(): () => void {
  if (!process.stderr.isTTY) return () => {};
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  const timer = setInterval(() => process.stderr.write(`\r${frames[frame++ % frames.length]} thinking...`), 80);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    process.stderr.write('\r\x1b[2K');
  };
}
