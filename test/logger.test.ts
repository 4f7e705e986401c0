// Logs never hold an error's message: a database error can quote the values it refused.
import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger, errorForLog } from '../lib/logger';

const PATIENT = 'Jeanne Dupont, née le 1961-04-02';

function databaseError(): Error {
  const err = new Error(`Unique constraint failed on the value (${PATIENT})`);
  Object.assign(err, { code: 'P2002', meta: { value: PATIENT } });
  return err;
}

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', 'test', destination) };
}

it('keeps the class, the code and the stack frames of an error, not its message or other fields', () => {
  const logged = errorForLog(databaseError());
  expect(logged.type).toBe('Error');
  expect(logged.code).toBe('P2002');
  expect(logged.stack).toMatch(/^at .*logger\.test\.ts/m);
  expect(JSON.stringify(logged)).not.toContain('Jeanne');
});

it('does the same with the rendering pino-http hands it (its serializers wrap the standard one)', () => {
  const logged = errorForLog(pino.stdSerializers.err(databaseError()));
  expect(logged).toEqual({ type: 'Error', code: 'P2002', stack: expect.stringMatching(/^at /) });
  expect(JSON.stringify(logged)).not.toContain('Jeanne');
});

it("names what was thrown when it is not an error, without its contents", () => {
  expect(errorForLog(PATIENT)).toEqual({ type: 'string' });
  expect(errorForLog({ name: 'PrismaClientKnownRequestError', message: PATIENT })).toEqual({ type: 'PrismaClientKnownRequestError' });
});

it("every logger the project creates applies it to an `err` field", () => {
  const { lines, logger } = capture();
  logger.error({ err: databaseError(), reqId: 'r1' }, 'unhandled error');
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0]) as { err: { type: string; code: string }; reqId: string; msg: string };
  expect(line).toMatchObject({ err: { type: 'Error', code: 'P2002' }, reqId: 'r1', msg: 'unhandled error' });
  expect(lines[0]).not.toContain('Jeanne');
});
