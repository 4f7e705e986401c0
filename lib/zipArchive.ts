// A small ZIP writer (no dependency: node:zlib's crc32): entries stored as they are (documents are
// PDFs, images and DICOM, already compressed or not worth it), streamed to the output so a patient's
// whole file is never held in memory. ZIP because every desktop and phone opens it without software.
// Classic ZIP only (no ZIP64): under 65,535 entries and 4 GiB, which `zipFits` checks before writing.
import { once } from 'node:events';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';

export type ZipEntry = { name: string; data: Buffer } | { name: string; file: string; size: number };

const LIMIT = 0xffff_ffff;
const FLAG_UTF8 = 0x0800;
const VERSION = 20; // 2.0: stored entries in folders

/** Whether the entries fit a classic ZIP (sizes and offsets under 4 GiB, fewer than 65,535 entries). */
export function zipFits(entries: readonly ZipEntry[]): boolean {
  let total = 22;
  for (const e of entries) total += 30 + 46 + 2 * Buffer.byteLength(e.name) + ('data' in e ? e.data.length : e.size);
  return entries.length < 0xffff && total < LIMIT;
}

/** MS-DOS date and time (the ZIP fields), in UTC: the archive does not say a zone. */
function dosDateTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: (Math.max(0, d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

async function crcOfFile(file: string): Promise<number> {
  let crc = 0;
  for await (const chunk of fs.createReadStream(file)) crc = zlib.crc32(chunk as Buffer, crc);
  return crc;
}

export async function writeZip(out: Writable, entries: readonly ZipEntry[], modified: Date): Promise<void> {
  if (!zipFits(entries)) throw new Error('Too large for a ZIP archive without ZIP64 (over 4 GiB or 65,535 entries)');
  const { time, date } = dosDateTime(modified);
  let offset = 0;
  const central: Buffer[] = [];
  const write = async (b: Buffer) => {
    offset += b.length;
    if (!out.write(b)) await once(out, 'drain');
  };
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const size = 'data' in e ? e.data.length : e.size;
    const crc = 'data' in e ? zlib.crc32(e.data) : await crcOfFile(e.file);
    const start = offset;
    // The fields the local header and the central directory share, at their offset in each.
    const common = (b: Buffer, at: number) => {
      b.writeUInt16LE(VERSION, at);
      b.writeUInt16LE(FLAG_UTF8, at + 2);
      b.writeUInt16LE(0, at + 4); // stored
      b.writeUInt16LE(time, at + 6);
      b.writeUInt16LE(date, at + 8);
      b.writeUInt32LE(crc, at + 10);
      b.writeUInt32LE(size, at + 14);
      b.writeUInt32LE(size, at + 18);
      b.writeUInt16LE(name.length, at + 22);
      return b;
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    await write(Buffer.concat([common(local, 4), name]));
    if ('data' in e) {
      await write(e.data);
    } else {
      let sent = 0;
      for await (const chunk of fs.createReadStream(e.file)) {
        sent += (chunk as Buffer).length;
        await write(chunk as Buffer);
      }
      // Files are content-addressed and never rewritten; a size that differs means a damaged store.
      if (sent !== size) throw new Error(`A stored file changed size while it was archived (${sent} bytes, ${size} expected)`);
    }
    const header = common(Buffer.alloc(46), 6);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | VERSION, 4); // made on Unix, so the external attributes below are file modes
    // extra, comment, disk, internal attributes: 0
    header.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    header.writeUInt32LE(start, 42);
    central.push(header, name);
  }
  const directory = Buffer.concat(central);
  const directoryOffset = offset;
  await write(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(directoryOffset, 16);
  await write(end);
}

/** A name safe as a file name in an archive on every system: no folders, no reserved characters. */
export function safeFileName(name: string, fallback: string): string {
  const cleaned = name
    .normalize('NFC')
    // Control characters (code points under 32, and 127) and the characters Windows reserves.
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/\p{Cc}/gu, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return cleaned || fallback;
}
