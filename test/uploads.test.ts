// Content sniffing and file-name cleaning of uploads: pure functions, tested byte by byte.
import { cleanFileName } from '../lib/documentStore';
import { sniff, SNIFF_BYTES } from '../api/uploads/fileTypes';

const bytes = (...parts: (string | number[] | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const filler = Buffer.alloc(64, 0x41);
/** A DICOM file: 128-byte preamble (zeros unless given), then the DICM marker. */
const dicom = (preambleStart: number[] | string = []) => {
  const preamble = Buffer.alloc(128);
  bytes(preambleStart).copy(preamble);
  return bytes(preamble, 'DICM', filler);
};

describe('sniff', () => {
  it.each([
    ['a PDF', bytes('%PDF-1.7\n', filler), 'application/pdf'],
    ['a JPEG', bytes([0xff, 0xd8, 0xff, 0xe0], filler), 'image/jpeg'],
    ['a PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], filler), 'image/png'],
    ['a DICOM file with an empty preamble', dicom(), 'application/dicom'],
    ['a DICOM file with a TIFF preamble (allowed by the standard)', dicom('II*\0'), 'application/dicom'],
  ])('recognises %s', (_label, head, mediaType) => {
    expect(sniff(head)).toEqual({ ok: true, mediaType });
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /empty/],
    ['HTML', bytes('<!DOCTYPE html><script>alert(1)</script>'), /not a PDF, JPEG, PNG or DICOM/],
    ['a Windows executable', bytes('MZ', [0x90, 0x00], filler), /not a PDF, JPEG, PNG or DICOM/],
    ['a PDF marker not at the start', bytes(' %PDF-1.7', filler), /not a PDF/],
    ['a truncated PNG signature', bytes([0x89, 0x50, 0x4e, 0x47]), /not a PDF/],
    ['a DICM marker at the wrong offset', bytes(Buffer.alloc(127), 'DICM', filler), /not a PDF/],
    ['a file cut inside the DICOM preamble', Buffer.alloc(130), /not a PDF/],
  ])('refuses %s with a reason', (_label, head, reason) => {
    const result = sniff(head);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.en).toMatch(reason);
  });

  it.each([
    ['PE (MZ)', 'MZ', /Windows executable/],
    ['ELF', [0x7f, 0x45, 0x4c, 0x46], /ELF/],
    ['Mach-O 32-bit', [0xfe, 0xed, 0xfa, 0xce], /Mach-O/],
    ['Mach-O 64-bit', [0xfe, 0xed, 0xfa, 0xcf], /Mach-O/],
    ['Mach-O 32-bit, little-endian', [0xce, 0xfa, 0xed, 0xfe], /Mach-O/],
    ['Mach-O 64-bit, little-endian', [0xcf, 0xfa, 0xed, 0xfe], /Mach-O/],
    ['Mach-O universal', [0xca, 0xfe, 0xba, 0xbe], /Mach-O universal/],
    ['a script', '#!/bin/sh\n', /script/],
  ])('refuses a DICOM file whose preamble is a %s header (CVE-2019-11687 polyglot)', (_label, header, name) => {
    const result = sniff(dicom(header));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason.en).toMatch(name);
      expect(result.reason.en).toContain('CVE-2019-11687');
    }
  });

  it('needs no more than SNIFF_BYTES bytes', () => {
    expect(SNIFF_BYTES).toBe(132);
    expect(sniff(dicom().subarray(0, SNIFF_BYTES))).toEqual({ ok: true, mediaType: 'application/dicom' });
  });
});

describe('cleanFileName', () => {
  it.each([
    ['a plain name', 'scan.pdf', 'scan.pdf'],
    ['a Unix path', '../../etc/passwd.pdf', 'passwd.pdf'],
    ['a Windows path', 'C:\\Users\\amina\\..\\report.pdf', 'report.pdf'],
    ['control characters', 'rep\u0000ort\r\n.pdf', 'report.pdf'],
    ['a right-to-left override hiding an extension', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['a non-Latin name', 'تقرير الأشعة.pdf', 'تقرير الأشعة.pdf'],
    ['nothing left', '../..', 'document'],
    ['no name', undefined, 'document'],
  ])('keeps %s safe', (_label, given, expected) => {
    expect(cleanFileName(given)).toBe(expected);
  });

  it('caps the name at 255 characters', () => {
    expect(cleanFileName(`${'é'.repeat(300)}.pdf`)).toHaveLength(255);
  });
});
