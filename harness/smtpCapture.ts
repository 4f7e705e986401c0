// A real SMTP server in the test process (smtp-server + mailparser) that keeps every message it gets.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports';

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  /** Attached files (name, MIME type and bytes). */
  attachments: { filename: string; contentType: string; content: Buffer }[];
  messageId: string;
  /** When the server had the whole message (ms since the epoch): the sender's client sees the reply after. */
  receivedAt: number;
}

export interface SmtpCapture {
  port: number;
  messages: CapturedMail[];
  /** Resolves with the first message matching, waiting up to `timeoutMs`. */
  waitFor(match: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
  /** Stops accepting connections (an SMTP outage) until `resume()`, which listens on the same port again. */
  suspend(): Promise<void>;
  resume(): Promise<void>;
}

export interface SmtpCaptureOptions {
  /** Called on MAIL FROM, before any message data: the sender is mid-send (e.g. to kill it there). */
  onMailFrom?: () => void;
  /**
   * Acknowledge each message as soon as it is held, as a mail server does once it has queued it, and
   * parse it afterwards (in order of arrival): for runs under load (chaos, bench), where a reply held
   * up by the parse widens the one window SMTP leaves open (RFC 1047: a sender that dies before
   * reading the 250 sends the message again; parsed first, the chaos run's replies took over a
   * second). Otherwise a message is parsed before the reply, so it is in `messages` by the time the
   * sender's `sendMail` resolves, which tests rely on.
   */
  acknowledgeAtOnce?: boolean;
}

function addresses(parsed: ParsedMail): string[] {
  const to = parsed.to ? (Array.isArray(parsed.to) ? parsed.to : [parsed.to]) : [];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

export async function startSmtpCapture(opts: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  let parsing = Promise.resolve();
  const makeServer = () => new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      opts.onMailFrom?.();
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        // Received once the sender's final dot arrives.
        const receivedAt = Date.now();
        if (opts.acknowledgeAtOnce) callback();
        const raw = Buffer.concat(chunks);
        parsing = parsing
          .then(() => simpleParser(raw))
          .then(
            (parsed) => ({ receivedAt, to: addresses(parsed), subject: parsed.subject ?? '', text: parsed.text ?? '', messageId: parsed.messageId ?? '', attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content })) }),
            // Kept, so it counts: an accepted message is never silently lost.
            (err: unknown) => ({ receivedAt, to: [], subject: '(unparseable message)', text: err instanceof Error ? err.message : String(err), messageId: '', attachments: [] }),
          )
          .then((mail) => {
            messages.push(mail);
            waiters.forEach((w) => w());
            if (!opts.acknowledgeAtOnce) callback();
          });
      });
    },
  });
  const port = await freePort();
  const listen = (server: SMTPServer) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      // A sender that dies mid-message (a killed worker) resets its connection: not the server's
      // problem, and without a listener the error would crash this process.
      server.on('error', () => undefined);
      resolve();
    });
  });
  let server: SMTPServer | undefined = makeServer();
  await listen(server);
  const close = () => new Promise<void>((resolve) => {
    const closing = server;
    server = undefined;
    if (!closing) return resolve();
    closing.close(() => resolve());
  });
  return {
    port,
    messages,
    waitFor(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching email within ${timeoutMs} ms; got: ${messages.map((m) => m.subject).join(' | ') || 'none'}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close,
    suspend: close,
    async resume() {
      if (server) return;
      server = makeServer();
      await listen(server);
    },
  };
}
