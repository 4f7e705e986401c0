// How an `npm run ops:*` command ends: its exit code, or 1 with the error's message alone (no stack:
// the messages say what was wrong and what to do).
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
