/**
 * A report file as it arrives (an attachment or a file): gzip, zip or plain XML, told apart by their
 * first bytes as parsedmarc does, unpacked with hard limits so a decompression bomb costs nothing:
 * gzip stops at the limit (zlib's maxOutputLength), zip entries are streamed through a byte counter
 * (yauzl also checks each entry's real size against its header). Returns the XML text.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { ReportRefused } from './parse-aggregate-report.ts';

const gunzipAsync = promisify(gunzip);

export interface UnpackLimits {
  /** The file as received (compressed). */
  maxFileBytes: number;
  /** The XML once unpacked. */
  maxXmlBytes: number;
}

/** Large reporters send a few MB a day; a file far above that is refused unread. */
export const DEFAULT_LIMITS: UnpackLimits = { maxFileBytes: 20 * 1024 * 1024, maxXmlBytes: 40 * 1024 * 1024 };

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const GZIP = Buffer.from([0x1f, 0x8b]);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;

export type ReportFormat = 'gzip' | 'zip' | 'xml';

export function sniffFormat(bytes: Buffer): ReportFormat | undefined {
  if (bytes.subarray(0, 4).equals(ZIP)) return 'zip';
  if (bytes.subarray(0, 2).equals(GZIP)) return 'gzip';
  const start = bytes
    .subarray(0, 64)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return start.startsWith('<') ? 'xml' : undefined;
}

export async function unpackReport(bytes: Buffer, limits: UnpackLimits = DEFAULT_LIMITS): Promise<{ format: ReportFormat; xml: string }> {
  if (bytes.length > limits.maxFileBytes)
    throw new ReportRefused(`is ${mb(bytes.length)}, over the ${mb(limits.maxFileBytes)} a report file may be: not read`);
  const format = sniffFormat(bytes);
  if (!format) throw new ReportRefused('is neither gzip, zip nor XML (by its first bytes): not a report file');
  const xml =
    format === 'xml'
      ? bytes
      : format === 'gzip'
        ? await gunzipLimited(bytes, limits.maxXmlBytes)
        : await unzipFirstXml(bytes, limits.maxXmlBytes);
  if (xml.length > limits.maxXmlBytes)
    throw new ReportRefused(`holds ${mb(xml.length)} of XML, over the ${mb(limits.maxXmlBytes)} limit: not read`);
  return { format, xml: decodeUtf8(xml) };
}

/** UTF-8, a stray invalid byte (reporters put them in URLs) replaced rather than costing the report, as parsedmarc does. */
function decodeUtf8(bytes: Buffer): string {
  return new TextDecoder('utf-8').decode(bytes);
}

async function gunzipLimited(bytes: Buffer, maxXmlBytes: number): Promise<Buffer> {
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxXmlBytes });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      throw new ReportRefused(`unpacks to more than ${mb(maxXmlBytes)} (a gzip bomb or a huge file): not read`);
    throw new ReportRefused(`is a broken gzip file: ${e.message}`);
  }
}

/** The first .xml entry of a zip (reporters send exactly one), read through a counter that stops at the limit. */
function unzipFirstXml(bytes: Buffer, maxXmlBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const refuse = (why: string) => reject(new ReportRefused(why));
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (openError, zip) => {
      if (openError || !zip) return refuse(`is a broken zip file: ${openError?.message ?? 'unreadable'}`);
      let found = false;
      zip.on('error', (error: Error) => refuse(`is a broken zip file: ${error.message}`));
      zip.on('end', () => {
        if (!found) refuse('is a zip file without an .xml entry');
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (found || /\/$/.test(entry.fileName) || !/\.xml$/i.test(entry.fileName)) return zip.readEntry();
        found = true;
        if (entry.uncompressedSize > maxXmlBytes) {
          zip.close();
          return refuse(
            `holds ${entry.fileName}, ${mb(entry.uncompressedSize)} unpacked, over the ${mb(maxXmlBytes)} limit (a zip bomb or a huge file): not read`,
          );
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return refuse(`is a broken zip file: ${streamError?.message ?? 'unreadable entry'}`);
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxXmlBytes) {
              stream.destroy();
              zip.close();
              return refuse(`holds ${entry.fileName}, which unpacks to more than ${mb(maxXmlBytes)} (a zip bomb or a huge file): not read`);
            }
            chunks.push(chunk);
          });
          stream.on('error', (error: Error) => refuse(`is a broken zip file: ${error.message}`));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks));
          });
        });
      });
      zip.readEntry();
    });
  });
}
