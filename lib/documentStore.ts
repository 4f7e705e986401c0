// Uploaded files on disk: received under a random name in `incoming/`, then kept content-addressed
// as `<sha[0:2]>/<sha>`. Nothing the client sends (name, path, type) ever becomes part of a path.
// Below the API, the activities and the mail relay, which all read and write it.
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const SHA256_HEX = /^[0-9a-f]{64}$/;
// Control characters and the bidirectional overrides that make "invoice‮fdp.exe" read as a PDF.
const UNSAFE_NAME_CHARS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
export const MAX_NAME_LENGTH = 255;

/** The client's file name as safe metadata: last path component, no control characters, at most 255 characters. */
export function cleanFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = [...base.normalize('NFC').replace(UNSAFE_NAME_CHARS, '').trim()].slice(0, MAX_NAME_LENGTH).join('');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'document' : cleaned;
}

export class DocumentStore {
  readonly incomingDir: string;

  constructor(readonly root: string) {
    this.incomingDir = path.join(root, 'incoming');
  }

  blobPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`Not a SHA-256 digest: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** The first `bytes` of a file (enough to sniff its type: api/uploads/fileTypes.ts's SNIFF_BYTES). */
  async readHead(file: string, bytes: number): Promise<Buffer> {
    const handle = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** SHA-256 of a file, streamed (files may be tens of megabytes). */
  async hash(file: string): Promise<string> {
    const hash = crypto.createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /**
   * Keeps a received file under its digest. A hard link is atomic: the blob is either absent or
   * whole, and if the same content is already stored (EEXIST) the existing blob is kept. The
   * caller removes the temporary file either way.
   */
  async keep(tempFile: string, sha256: string): Promise<void> {
    const target = this.blobPath(sha256);
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.link(tempFile, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
      // A file system without hard links: copy beside the target, then rename (also atomic; a
      // concurrent upload of the same content replaces it with identical bytes).
      const aside = `${target}.${crypto.randomUUID()}.tmp`;
      try {
        await fs.copyFile(tempFile, aside);
        await fs.rename(aside, target);
      } finally {
        await fs.rm(aside, { force: true });
      }
    }
  }

  async discard(tempFiles: string[]): Promise<void> {
    await Promise.all(tempFiles.map((f) => fs.rm(f, { force: true })));
  }
}
