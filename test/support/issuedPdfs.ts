// Reading back the PDFs the activities issue (estimates, visa certificates, final invoices).
import fs from 'node:fs';
import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream, type PDFObject } from 'pdf-lib';
import type { DocumentStore } from '../../lib/documentStore';

// WinAnsi (Windows-1252) is Latin-1 except 0x80-0x9F. (Node 20's TextDecoder decodes
// 'windows-1252' as Latin-1, so it cannot be used.)
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const winAnsi = (bytes: Buffer) => [...bytes].map((b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b))).join('');

/** The text shown on the PDF's pages, read back with pdf-lib: standard fonts write each line as a hex string in WinAnsi. */
export async function pdfText(bytes: Buffer): Promise<string> {
  const pdf = await PDFDocument.load(bytes);
  const shown: string[] = [];
  for (const page of pdf.getPages()) {
    const contents = page.node.Contents();
    const streams: PDFObject[] = contents instanceof PDFArray ? contents.asArray().map((ref) => pdf.context.lookup(ref)!) : contents ? [contents] : [];
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) throw new Error('Unexpected content stream type');
      const ops = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
      for (const m of ops.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) shown.push(winAnsi(Buffer.from(m[1], 'hex')));
    }
  }
  return shown.join(' ').replace(/\s+/g, ' ');
}

/** The text of the PDF kept in `store` under `sha256`. */
export const storedPdfText = async (store: DocumentStore, sha256: string) => pdfText(fs.readFileSync(store.blobPath(sha256)));
