// How an `npm run ops:*` command reads its arguments and ends: a wrong command line is exit 2 with what
// was wrong and the usage; --help prints the usage; an error is exit 1 with its message alone (no stack:
// the messages say what was wrong and what to do).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The parsed arguments, or the exit code to end with (2 after a wrong command line, 0 after --help). */
export function commandArgs<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: unknown }).help) {
    console.log(usage);
    return 0;
  }
  return parsed;
}

export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
