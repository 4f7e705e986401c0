// What an uploaded file really is, from its first bytes: the client's file name and declared type
// are not trusted (an executable renamed .pdf says application/pdf). Only an allow-list passes.
import type { Localized } from '../../workflows/definitions';
import { errorMessages } from '../errorMessages';

export const MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'application/dicom'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** How many leading bytes `sniff` needs: a DICOM file's 128-byte preamble and its `DICM` marker. */
export const SNIFF_BYTES = 132;

/** `reason`: why the file is refused, in French and English. */
export type Sniffed = { ok: true; mediaType: MediaType } | { ok: false; reason: Localized };

const DICOM_PREAMBLE = 128;
const startsWith = (buf: Buffer, magic: readonly number[], at = 0) => buf.length >= at + magic.length && magic.every((b, i) => buf[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const signatures: { mediaType: MediaType; magic: readonly number[]; at: number }[] = [
  { mediaType: 'application/pdf', magic: ascii('%PDF-'), at: 0 },
  { mediaType: 'image/jpeg', magic: [0xff, 0xd8, 0xff], at: 0 },
  { mediaType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], at: 0 },
  { mediaType: 'application/dicom', magic: ascii('DICM'), at: DICOM_PREAMBLE },
];

// A DICOM preamble is free-form, so it can hold an executable's header and the same file runs as a
// program (PE/DICOM polyglots, CVE-2019-11687). Legitimate preambles are zeros or a TIFF header.
const WINDOWS: Localized = { en: 'Windows executable (MZ)', fr: 'programme Windows (MZ)' };
const ELF: Localized = { en: 'ELF executable', fr: 'programme ELF' };
const MACH_O: Localized = { en: 'Mach-O executable', fr: 'programme Mach-O' };
const MACH_O_UNIVERSAL: Localized = { en: 'Mach-O universal binary', fr: 'binaire universel Mach-O' };
const SCRIPT: Localized = { en: 'script (#!)', fr: 'script (#!)' };
const executableHeaders: { name: Localized; magic: readonly number[] }[] = [
  { name: WINDOWS, magic: ascii('MZ') },
  { name: ELF, magic: [0x7f, ...ascii('ELF')] },
  { name: MACH_O, magic: [0xfe, 0xed, 0xfa, 0xce] },
  { name: MACH_O, magic: [0xfe, 0xed, 0xfa, 0xcf] },
  { name: MACH_O, magic: [0xce, 0xfa, 0xed, 0xfe] },
  { name: MACH_O, magic: [0xcf, 0xfa, 0xed, 0xfe] },
  { name: MACH_O_UNIVERSAL, magic: [0xca, 0xfe, 0xba, 0xbe] },
  { name: SCRIPT, magic: ascii('#!') },
];

/** Detects the media type from the first bytes of a file (at least SNIFF_BYTES of them when the file is that long). */
export function sniff(head: Buffer): Sniffed {
  if (head.length === 0) return { ok: false, reason: errorMessages.file_empty() };
  const match = signatures.find((s) => startsWith(head, s.magic, s.at));
  if (!match) {
    return { ok: false, reason: errorMessages.file_type_unknown() };
  }
  if (match.mediaType === 'application/dicom') {
    const executable = executableHeaders.find((e) => startsWith(head, e.magic));
    if (executable) {
      return { ok: false, reason: errorMessages.file_executable_preamble({ executable: executable.name }) };
    }
  }
  return { ok: true, mediaType: match.mediaType };
}

/** The extensions a type is known by; the first is the one a file of that type is stored under. */
const EXTENSIONS: Record<MediaType, readonly string[]> = {
  'application/pdf': ['.pdf'],
  'image/jpeg': ['.jpg', '.jpeg', '.jpe'],
  'image/png': ['.png'],
  'application/dicom': ['.dcm', '.dicom'],
};

/**
 * The file name to keep, matching the type found in the content: a PNG sent as `scan.pdf` is kept
 * and served as `scan.png` (opened by name, it would fail as a PDF). A name without a known
 * extension gets the type's (`IM0001` becomes `IM0001.dcm`).
 */
export function nameForType(name: string, mediaType: MediaType): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot).toLowerCase() : '';
  if (EXTENSIONS[mediaType].includes(ext)) return name;
  const known = Object.values(EXTENSIONS).some((list) => list.includes(ext));
  return `${known ? name.slice(0, dot) : name}${EXTENSIONS[mediaType][0]}`;
}

/** What each type is called in a message. */
export const TYPE_NAMES: Record<MediaType, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'application/dicom': 'DICOM' };
