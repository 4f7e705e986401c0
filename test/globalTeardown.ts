import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__parcoursTest;
  if (!state) return;
  await state.server.stop();
  fs.rmSync(state.dir, { recursive: true, force: true });
}
